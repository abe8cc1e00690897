// Command tenantdesk runs the Tenantdesk portal and its operator commands.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	_ "time/tzdata" // every IANA zone, even on machines without /usr/share/zoneinfo
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "tenantdesk:", err)
		os.Exit(1)
	}
}

const usage = `Usage: tenantdesk <command> [flags]

Commands:
  serve                 run the portal (the default)
  migrate               apply database migrations and exit
  partner create        create a partner account with its Owner
  user passwd           set a user's password (read from stdin)
  user email            change a user's email, the Owner's too (operator; --email OLD --to NEW)
  token create          print a new API token of a user (--email E [--name N])
  account update        change an account's general information (operator)
  customer disable      disable a customer: no sign-in, tokens refused, nothing deleted (operator; --tenant ID)
  customer enable       enable a disabled customer again (operator; --tenant ID)
  owner transfer        make another user of an account its Owner (operator)
  backup                write a consistent copy of the database (safe while serving)
  2fa reset             remove a user's lost second factor (operator; emails the user)
  session end           sign a user out everywhere, or everyone (operator; --email E or --all)
  openapi               print the REST API's OpenAPI document (JSON), as /api/v1/openapi.json serves it

Run "tenantdesk <command> -h" for a command's flags. Every flag also comes
from an environment variable: --db is TENANTDESK_DB, --addr TENANTDESK_ADDR…
`

// run is the whole program, with its environment passed in so tests can call it.
func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	cmd := "serve"
	if len(args) > 0 && len(args[0]) > 0 && args[0][0] != '-' {
		cmd, args = args[0], args[1:]
	}
	sub := func() string {
		if len(args) > 0 && len(args[0]) > 0 && args[0][0] != '-' {
			s := args[0]
			args = args[1:]
			return s
		}
		return ""
	}
	switch cmd {
	case "serve":
		return runServe(ctx, args, getenv, stdout, stderr)
	case "migrate":
		return runMigrate(ctx, args, getenv, stdout, stderr)
	case "partner":
		if s := sub(); s == "create" {
			return runPartnerCreate(ctx, args, getenv, stdout, stderr)
		}
		return fmt.Errorf("usage: tenantdesk partner create --name N --owner-email E --owner-name N")
	case "owner":
		if s := sub(); s == "transfer" {
			return runOwnerTransfer(ctx, args, getenv, stdout, stderr)
		}
		return fmt.Errorf("usage: tenantdesk owner transfer --account TENANT_ID --to-email E")
	case "backup":
		return runBackup(ctx, args, getenv, stdout, stderr)
	case "account":
		if s := sub(); s == "update" {
			return runAccountUpdate(ctx, args, getenv, stdout, stderr)
		}
		return fmt.Errorf("usage: tenantdesk account update --tenant ID [--name N] [--support-package P] …")
	case "customer":
		switch sub() {
		case "disable":
			return runCustomerStatus(ctx, args, getenv, stdout, stderr, true)
		case "enable":
			return runCustomerStatus(ctx, args, getenv, stdout, stderr, false)
		}
		return fmt.Errorf("usage: tenantdesk customer disable|enable --tenant ID")
	case "2fa":
		if s := sub(); s == "reset" {
			return run2FAReset(ctx, args, getenv, stdout, stderr)
		}
		return fmt.Errorf("usage: tenantdesk 2fa reset --email E")
	case "session":
		if s := sub(); s == "end" {
			return runSessionEnd(ctx, args, getenv, stdout, stderr)
		}
		return fmt.Errorf("usage: tenantdesk session end --email E | --all")
	case "token":
		if s := sub(); s == "create" {
			return runTokenCreate(ctx, args, getenv, stdout, stderr)
		}
		return fmt.Errorf("usage: tenantdesk token create --email E [--name N] [--days D] [--read-only]")
	case "user":
		switch sub() {
		case "passwd":
			return runUserPasswd(ctx, args, getenv, stdin, stdout, stderr)
		case "email":
			return runUserEmail(ctx, args, getenv, stdout, stderr)
		}
		return fmt.Errorf("usage: tenantdesk user passwd --email E  (new password on stdin)\n       tenantdesk user email --email OLD --to NEW")
	case "openapi":
		return runOpenAPI(args, stdout, stderr) // openapi.go
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprint(stderr, usage)
	return fmt.Errorf("unknown command %q", cmd)
}
