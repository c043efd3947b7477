package lint

import (
	"fmt"
	"strings"

	"github.com/sparklint/sparklint/checks"
)

// SelectRules resolves --select and --ignore selectors against rules. A
// selector is a rule code ("SPK201"), a code prefix ("SPK2", "SPK") or
// "ALL". As in Ruff, the most specific selector that matches a rule
// decides, so `--select SPK2 --ignore SPK` keeps the SPK2xx rules and
// `--select SPK --ignore SPK201` drops only SPK201; at equal specificity
// ignore wins. An empty select list selects every rule. A selector that
// matches no rule is an error: a typo would otherwise silently disable
// checking.
func SelectRules(all []*checks.Rule, sel, ignore []string) ([]*checks.Rule, error) {
	norm := func(list []string, what string) ([]string, error) {
		var out []string
		for _, s := range list {
			for _, part := range strings.Split(s, ",") {
				part = strings.ToUpper(strings.TrimSpace(part))
				if part == "" {
					continue
				}
				if !matchesAny(all, part) {
					return nil, fmt.Errorf("--%s: unknown rule selector %q (run `sparklint rule --all` for the list)", what, part)
				}
				out = append(out, part)
			}
		}
		return out, nil
	}
	s, err := norm(sel, "select")
	if err != nil {
		return nil, err
	}
	ig, err := norm(ignore, "ignore")
	if err != nil {
		return nil, err
	}
	if len(s) == 0 {
		s = []string{"ALL"}
	}
	var out []*checks.Rule
	for _, r := range all {
		bestSel, bestIgn := specificity(s, r.Code), specificity(ig, r.Code)
		if bestSel >= 0 && bestSel > bestIgn {
			out = append(out, r)
		}
	}
	return out, nil
}

// specificity returns the length of the longest selector in list matching
// code ("ALL" counts 0), or -1 when none does.
func specificity(list []string, code string) int {
	best := -1
	for _, s := range list {
		switch {
		case s == "ALL":
			best = max(best, 0)
		case strings.HasPrefix(code, s):
			best = max(best, len(s))
		}
	}
	return best
}

func matchesAny(all []*checks.Rule, sel string) bool {
	if sel == "ALL" {
		return true
	}
	for _, r := range all {
		if strings.HasPrefix(r.Code, sel) {
			return true
		}
	}
	return false
}
