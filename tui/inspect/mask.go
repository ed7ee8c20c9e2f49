package inspect

import (
	"net/url"
	"strings"
)

// Mask is what a hidden value shows.
const Mask = "••••••"

// secretWords in a variable's name mark its value secret. The list errs
// on the side of hiding: a hidden KEYBOARD_LAYOUT costs one key press, a
// shown DB_PASSWORD on a shared screen costs a rotation.
var secretWords = []string{
	"PASSWORD", "PASSWD", "PASSPHRASE", "SECRET", "TOKEN", "KEY", "CREDENTIAL",
	"AUTH", "PRIVATE", "DSN", "SALT", "COOKIE", "SESSION",
}

// isSecretName reports whether a variable or label name looks secret.
// Names ending in _FILE point at a file (POSTGRES_PASSWORD_FILE=/run/
// secrets/db), the Docker secrets convention: the path is not the secret
// and helps to debug.
func isSecretName(name string) bool {
	n := strings.ToUpper(name)
	if strings.HasSuffix(n, "_FILE") {
		return false
	}
	for _, w := range secretWords {
		if strings.Contains(n, w) {
			return true
		}
	}
	return false
}

// MaskValue hides a value: all of it when the name looks secret, or only
// the password of a URL (DATABASE_URL=postgres://app:pw@db/app) so the
// host and database stay readable. Other views showing env values (the
// diff) use it too.
func MaskValue(name, value string) string {
	if value == "" {
		return value
	}
	if isSecretName(name) {
		return Mask
	}
	return maskURLPassword(value)
}

// maskURLPassword hides the password of scheme://user:password@host.
func maskURLPassword(v string) string {
	i := strings.Index(v, "://")
	if i < 0 {
		return v
	}
	u, err := url.Parse(v)
	if err != nil || u.User == nil {
		return maskUnparsedUserinfo(v, i+3)
	}
	if _, has := u.User.Password(); !has {
		return v
	}
	// Replace in the text rather than re-encode the URL, which would
	// change how the rest of it is written.
	rest := v[i+3:]
	at := strings.LastIndex(rest[:authorityEnd(rest)], "@")
	colon := strings.Index(rest[:at], ":")
	return v[:i+3] + rest[:colon+1] + Mask + rest[at:]
}

// maskUnparsedUserinfo handles URLs net/url rejects (a password with a
// raw '#' or '/'): anything between "user:" and the last '@' goes.
func maskUnparsedUserinfo(v string, start int) string {
	rest := v[start:]
	at := strings.LastIndex(rest, "@")
	if at < 0 {
		return v
	}
	colon := strings.Index(rest[:at], ":")
	if colon < 0 {
		return v
	}
	return v[:start] + rest[:colon+1] + Mask + rest[at:]
}

// authorityEnd is where the host part of a URL (after ://) ends.
func authorityEnd(rest string) int {
	if i := strings.IndexAny(rest, "/?#"); i >= 0 {
		return i
	}
	return len(rest)
}
