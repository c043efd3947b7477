package sparktype

import (
	"strings"

	"github.com/sparklint/sparklint/pyparse"
)

// QualifiedName returns the dotted library name an expression refers to
// through the module's imports ("threading.Lock" for `threading.Lock` after
// `import threading`, or for `Lock` after `from threading import Lock`),
// or "" when it is not an imported name. Builtins come back as
// "builtins.NAME" when the name is not rebound.
func QualifiedName(m *pyparse.Module, expr pyparse.NodeID) string {
	expr = m.Unparen(expr)
	var attrs []string
	for m.Kind(expr) == pyparse.KAttribute {
		attrs = append(attrs, m.Text(m.Child(expr, pyparse.FAttribute)))
		expr = m.Child(expr, pyparse.FObject)
	}
	if m.Kind(expr) != pyparse.KIdentifier || m.Scopes == nil {
		return ""
	}
	name := m.Text(expr)
	bd := m.Scopes.Reaching(m, expr, name)
	var base string
	switch {
	case bd == nil:
		base = "builtins." + name
	case bd.Kind == pyparse.BindImport && bd.Import.Level == 0:
		base = bd.Import.Qualified()
	default:
		return ""
	}
	for i := len(attrs) - 1; i >= 0; i-- {
		base += "." + attrs[i]
	}
	return strings.TrimPrefix(base, ".")
}
