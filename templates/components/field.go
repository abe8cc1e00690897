package components

import (
	"strconv"

	"github.com/a-h/templ"
)

// AriaInvalid is the value of aria-invalid for a control that is (or is
// not) invalid.
func AriaInvalid(invalid bool) string {
	if invalid {
		return "true"
	}
	return "false"
}

// describedBy lists the ids of the hint and the error that are shown,
// in the order they are shown.
func describedBy(id string, hint, err, errorFirst bool) string {
	var ids []string
	if err && errorFirst {
		ids = append(ids, id+"-error")
	}
	if hint {
		ids = append(ids, id+"-hint")
	}
	if err && !errorFirst {
		ids = append(ids, id+"-error")
	}
	out := ""
	for i, s := range ids {
		if i > 0 {
			out += " "
		}
		out += s
	}
	return out
}

func (p FieldProps) name() string {
	if p.Name != "" {
		return p.Name
	}
	return p.ID
}

func (p FieldProps) inputType() string {
	if p.Type == "" {
		return "text"
	}
	return p.Type
}

// attrs are the input's optional attributes and its ARIA wiring.
func (p FieldProps) attrs() templ.OrderedAttributes {
	var a templ.OrderedAttributes
	add := func(k string, v any) { a = append(a, templ.KeyValue[string, any]{Key: k, Value: v}) }
	str := func(k, v string) {
		if v != "" {
			add(k, v)
		}
	}
	num := func(k string, n int) {
		if n > 0 {
			add(k, strconv.Itoa(n))
		}
	}
	str("autocomplete", p.Autocomplete)
	str("autocapitalize", p.Autocapitalize)
	str("inputmode", p.InputMode)
	str("placeholder", p.Placeholder)
	str("pattern", p.Pattern)
	str("list", p.List)
	num("minlength", p.MinLength)
	num("maxlength", p.MaxLength)
	str("min", p.Min)
	str("max", p.Max)
	str("step", p.Step)
	if p.NoSpellcheck {
		add("spellcheck", "false")
	}
	if p.Required {
		add("required", true)
	}
	if p.Autofocus {
		add("autofocus", true)
	}
	if p.Readonly {
		add("readonly", true)
	}
	add("aria-invalid", AriaInvalid(p.Invalid || p.Error != ""))
	str("aria-describedby", describedBy(p.ID, p.Hint != "", p.Error != "", p.ErrorFirst))
	str("data-testid", p.TestID)
	return a
}

func (p SelectProps) name() string {
	if p.Name != "" {
		return p.Name
	}
	return p.ID
}

// CodeField returns p as a 6-digit code field named "code": numeric
// keyboard on phones, and the browser may fill a code it received
// (one-time-code); its data-testid is its id.
func CodeField(p FieldProps) FieldProps {
	p.Name = "code"
	p.Class = "font-mono tracking-widest"
	p.InputMode = "numeric"
	p.Autocomplete = "one-time-code"
	p.Pattern = "[0-9 ]*"
	p.MaxLength = 8
	p.Required = true
	p.TestID = p.ID
	return p
}
