// The README's API quick start (seed 001's onboarding) as a typed client
// would write it, with the types openapi-typescript generates from the
// OpenAPI document (make openapi-check writes them to generated/api.d.ts).
// CI compiles it with tsc --strict --noEmit: a change of the document that
// breaks this client — a field's type, a required field, a field gone —
// breaks the build. Nothing here runs.

import type { components, paths } from "./generated/api";

type Customers = paths["/api/v1/customers"];
type Users = paths["/api/v1/customers/{tenantId}/users"];
type User = paths["/api/v1/customers/{tenantId}/users/{userId}"];
type Devices = paths["/api/v1/customers/{tenantId}/devices"];
type Softphones = paths["/api/v1/customers/{tenantId}/users/{userId}/devices"];

type NewCustomer = Customers["post"]["requestBody"]["content"]["application/json"];
type CreatedCustomer = Customers["post"]["responses"][201]["content"]["application/json"];
type NewUser = Users["post"]["requestBody"]["content"]["application/json"];
type UserChange = Users["post"]["responses"][201]["content"]["application/json"];
type UserPatch = User["patch"]["requestBody"]["content"]["application/json"];
type NewDevice = Devices["post"]["requestBody"]["content"]["application/json"];
type Device = Devices["post"]["responses"][201]["content"]["application/json"];
type SoftphoneSet = Softphones["put"]["requestBody"]["content"]["application/json"];
type UserList = Users["get"]["responses"][200]["content"]["application/json"];
type Problem = components["schemas"]["Problem"];

/** One API call: the answer's status and JSON body. */
async function call<T>(api: string, token: string, method: string, path: string, body?: unknown,
  headers: Record<string, string> = {}): Promise<{ status: number; json: T }> {
  const res = await fetch(api + path, {
    method,
    headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json", ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as T };
}

/** Seed 001 against the demo data, as the partner admin (README › API quick start). */
export async function onboard(token: string, api = "http://127.0.0.1:8080"): Promise<string> {
  // 1. The customer account with its phone-platform connection: the
  //    documented fields are typed, others are allowed.
  const customer: NewCustomer = {
    name: "St. Petersburg Steamboat Co.",
    description: "Excursions on the Mississippi",
    reference: "SPS-42",
    connection: { platform: "pbx.example", host: "pbx.steamboat.example", port: 5061, tls: true, trunkGroup: "river" },
  };
  const created = await call<CreatedCustomer>(api, token, "POST", "/api/v1/customers", customer, { "Idempotency-Key": "create-SPS-42" });
  const tenant: string = created.json.tenantId;
  const port: number | undefined = created.json.connection.port;
  const users = `/api/v1/customers/${tenant}/users`;

  // 2. The first admin; an imported phone user without roles (roles is optional).
  const admin: NewUser = { displayName: "Captain Bixby", email: "bixby@steamboat.example", roles: ["user.admin", "customer.user"] };
  const bixby = await call<UserChange>(api, token, "POST", users, admin);
  const ben: NewUser = { displayName: "Ben Rogers", email: "ben@steamboat.example" };
  await call<UserChange>(api, token, "POST", users, ben);

  // 3. An email that exists: 409 email_taken names the user of this
  //    account, and one PATCH adds the roles (no read-modify-write).
  const again = await call<UserChange | Problem>(api, token, "POST", users,
    { displayName: "Ben Rogers", email: "ben@steamboat.example", roles: ["customer.user", "customer.user.pbx", "customer.user.acd"] } satisfies NewUser);
  if (again.status === 409) {
    const problem = again.json as Problem;
    const code: Problem["code"] = problem.code;
    const existing: string | undefined = problem.existingUserId;
    if (code === "email_taken" && existing !== undefined) {
      const add: UserPatch = { addRoles: ["customer.user", "customer.user.pbx", "customer.user.acd"] };
      await call<UserChange>(api, token, "PATCH", `${users}/${existing}`, add);
      const replace: UserPatch = { roles: ["customer.user", "customer.user.pbx"], displayName: "Benjamin Rogers" };
      await call<UserChange>(api, token, "PATCH", `${users}/${existing}`, replace);
      const remove: UserPatch = { removeRoles: ["customer.user.acd"] };
      await call<UserChange>(api, token, "PATCH", `${users}/${existing}`, remove);
    }
  }

  // 4. Agents and supervisors; the first supervisorl3 rolls the real-time add-on out.
  const amy = await call<UserChange>(api, token, "POST", users, {
    displayName: "Amy Lawrence", email: "amy@steamboat.example",
    roles: ["customer.user", "customer.user.pbx", "customer.user.acd", "customer.user.uc", "customer.user.uc.softphone"],
  } satisfies NewUser);
  const judge = await call<UserChange>(api, token, "POST", users,
    { displayName: "Judge Thatcher", email: "judge@steamboat.example", roles: ["customer.user", "customer.user.supervisorl3"] } satisfies NewUser);
  const rolledOut: string[] = judge.json.autoAssigned.map((a) => `${a.displayName}: ${a.role}`);

  // 5. Emails, a softphone for Amy, a page of users.
  await call<unknown>(api, token, "POST", `${users}/${bixby.json.id}/activation-email`);
  await call<unknown>(api, token, "POST", `${users}/${amy.json.id}/uc-welcome-email`);
  const phone: NewDevice = { name: "Amy softphone", kind: "softphone", extension: "201" };
  const device = await call<Device>(api, token, "POST", `/api/v1/customers/${tenant}/devices`, phone);
  const set: SoftphoneSet = { softphones: [device.json.id] };
  await call<unknown>(api, token, "PUT", `${users}/${amy.json.id}/devices`, set);
  const page = await call<UserList>(api, token, "GET", `${users}?limit=2`);
  const next: string | null | undefined = page.json.nextCursor;
  return [tenant, String(port), ...rolledOut, ...page.json.items.map((u) => u.displayName), next ?? ""].join("\n");
}
