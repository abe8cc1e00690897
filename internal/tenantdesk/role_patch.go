package tenantdesk

import "slices"

// PatchRoles applies a UserPatch's role fields to the roles a user holds
// now and returns the new set: Roles replaces the whole set; AddRoles and
// RemoveRoles add and take away single roles (adding a held role or
// removing one not held changes nothing). The services call it inside the
// write transaction on the user as stored there, so two concurrent "add a
// role" calls never undo each other (SPEC §5; no read-modify-write race in
// the client). The role rules (R1–R7) are CheckUserChange's, on the result.
//
// It returns EINVALID naming the field when Roles comes with AddRoles or
// RemoveRoles, or a role is both added and removed, and EUnknownRole (field
// addRoles or removeRoles) for a key that is not in the catalogue. held is
// not changed.
func PatchRoles(held []string, p UserPatch) ([]string, error) {
	if p.Roles != nil {
		for _, f := range []struct {
			name string
			set  *[]string
		}{{"addRoles", p.AddRoles}, {"removeRoles", p.RemoveRoles}} {
			if f.set != nil {
				msg := "Give either roles (the whole set) or addRoles and removeRoles, not both: " + f.name + " cannot be combined with roles."
				return nil, &Error{Code: EINVALID, Message: msg, Key: "user.error.roles_combined", Args: map[string]any{"Field": f.name},
					Fields: []FieldError{{Field: f.name, Message: msg, Key: "user.error.roles_combined", Args: map[string]any{"Field": f.name}}}}
			}
		}
		return *p.Roles, nil
	}
	if p.AddRoles == nil && p.RemoveRoles == nil {
		return held, nil
	}
	var add, remove []string
	if p.AddRoles != nil {
		add = *p.AddRoles
	}
	if p.RemoveRoles != nil {
		remove = *p.RemoveRoles
	}
	for _, f := range []struct {
		name string
		keys []string
	}{{"addRoles", add}, {"removeRoles", remove}} {
		for _, k := range f.keys {
			if LookupRole(k) == nil {
				msg := "Unknown role \"" + k + "\"."
				return nil, &Error{Code: EUnknownRole, Message: msg, Key: "rule.unknown_role", Args: map[string]any{"Role": k},
					Fields: []FieldError{{Field: f.name, Message: msg, Key: "rule.unknown_role", Args: map[string]any{"Role": k}}}}
			}
		}
	}
	for _, k := range add {
		if slices.Contains(remove, k) {
			msg := "Role \"" + k + "\" is both in addRoles and in removeRoles."
			return nil, &Error{Code: EINVALID, Message: msg, Key: "user.error.role_added_and_removed", Args: map[string]any{"Role": k},
				Fields: []FieldError{{Field: "removeRoles", Message: msg, Key: "user.error.role_added_and_removed", Args: map[string]any{"Role": k}}}}
		}
	}
	out := make([]string, 0, len(held)+len(add))
	for _, k := range held {
		if !slices.Contains(remove, k) {
			out = append(out, k)
		}
	}
	for _, k := range add {
		if !slices.Contains(out, k) {
			out = append(out, k)
		}
	}
	return SortedRoles(out), nil
}
