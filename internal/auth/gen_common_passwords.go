//go:build ignore

// gen_common_passwords writes common_passwords.txt.gz from the password
// frequency list of zxcvbn-ts (@zxcvbn-ts/language-common, MIT, pinned in
// package.json), so the list comes from a maintained source and is never
// typed by hand. Run `npm ci` first, then `go generate ./internal/auth`.
package main

import (
	"compress/gzip"
	"encoding/json"
	"log"
	"os"
	"strings"
)

func main() {
	src := "../../node_modules/@zxcvbn-ts/language-common/src/passwords.json"
	b, err := os.ReadFile(src)
	if err != nil {
		log.Fatalf("%v (run npm ci in the repository root first)", err)
	}
	var list []string
	if err := json.Unmarshal(b, &list); err != nil {
		log.Fatal(err)
	}
	out, err := os.Create("common_passwords.txt.gz")
	if err != nil {
		log.Fatal(err)
	}
	zw, _ := gzip.NewWriterLevel(out, gzip.BestCompression)
	zw.ModTime = zw.ModTime.UTC() // zero: the output is reproducible
	zw.Name = ""
	for _, p := range list {
		p = strings.TrimSpace(p)
		if p == "" || strings.ContainsAny(p, "\n\r") {
			continue
		}
		zw.Write([]byte(p + "\n"))
	}
	if err := zw.Close(); err != nil {
		log.Fatal(err)
	}
	if err := out.Close(); err != nil {
		log.Fatal(err)
	}
	log.Printf("wrote %d passwords", len(list))
}
