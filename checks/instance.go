package checks

import (
	"github.com/sparklint/sparklint/checks/executor"
	"github.com/sparklint/sparklint/checks/sparktype"
	"github.com/sparklint/sparklint/pyparse"
)

// shippedInstance is an object Spark pickles whole: the instance of a
// shipped bound method, or a foreach writer / stateful processor.
type shippedInstance struct {
	ship  *executor.Shipping
	class sparktype.Loc
	// read are the attributes the executor methods read through self.
	read map[string]bool
}

func shippedInstances(ex *executor.Info) []shippedInstance {
	var out []shippedInstance
	index := map[*executor.Shipping]int{}
	for _, f := range ex.Funcs {
		s := f.Ship
		if !s.Bound && !s.OnExecutor {
			continue
		}
		i, ok := index[s]
		if !ok {
			cls := s.Class
			if s.OnExecutor {
				c := sparktype.EnclosingClass(f.Fn.M, f.Fn.N)
				if c < 0 {
					continue
				}
				cls = sparktype.Loc{M: f.Fn.M, N: c}
			}
			i = len(out)
			index[s] = i
			out = append(out, shippedInstance{ship: s, class: cls, read: map[string]bool{}})
		}
		m := f.Fn.M
		m.Walk(fnBody(m, f.Fn.N), func(n pyparse.NodeID) bool {
			if m.Kind(n) == pyparse.KAttribute && m.TextIs(m.Child(n, pyparse.FObject), "self") {
				out[i].read[m.Text(m.Child(n, pyparse.FAttribute))] = true
			}
			return true
		})
	}
	return out
}
