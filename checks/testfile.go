package checks

import (
	"path/filepath"
	"strings"
)

func testFile(path string) bool {
	base := filepath.Base(path)
	if strings.HasPrefix(base, "test_") || strings.HasSuffix(base, "_test.py") || base == "conftest.py" {
		return true
	}
	for _, part := range strings.Split(filepath.ToSlash(filepath.Dir(path)), "/") {
		if part == "tests" || part == "test" {
			return true
		}
	}
	return false
}
