package lint

// Position is a 1-based row and 1-based column counted in Unicode
// characters (as Ruff reports them).
type Position struct {
	Row    int `json:"row"`
	Column int `json:"column"`
}

// Edit replaces the text between Start and End (byte offsets Offset/EndOffset)
// with Content.
type Edit struct {
	Content   string   `json:"content"`
	Location  Position `json:"location"`
	End       Position `json:"end_location"`
	Offset    int      `json:"-"`
	EndOffset int      `json:"-"`
}

// Fix is a suggested change.
type Fix struct {
	// Applicability is "safe" or "unsafe" (Ruff's vocabulary).
	Applicability string `json:"applicability"`
	Message       string `json:"message"`
	Edits         []Edit `json:"edits"`
}

// Related is a secondary location that explains a finding (the call that
// ships a function, the streaming source...).
type Related struct {
	// Cell is the notebook cell of the location (0 outside notebooks).
	Cell     int      `json:"cell,omitempty"`
	Path     string   `json:"filename"`
	Location Position `json:"location"`
	End      Position `json:"end_location"`
	Message  string   `json:"message"`
}

// Finding is one diagnostic.
type Finding struct {
	// Cell is the 1-based cell of a Jupyter notebook that holds the
	// finding (rows are then counted within the cell); 0 elsewhere.
	Cell     int       `json:"cell,omitempty"`
	Code     string    `json:"code"`
	Name     string    `json:"name"`
	Message  string    `json:"message"`
	Path     string    `json:"filename"`
	Location Position  `json:"location"`
	End      Position  `json:"end_location"`
	Fix      *Fix      `json:"fix"`
	Related  []Related `json:"related,omitempty"`
	URL      string    `json:"url"`
	NoqaRow  int       `json:"noqa_row"`
	// Offset and EndOffset are the byte range in the file (for fixes and
	// the LSP); SourceLine is the text of the first line, for display.
	Offset     int    `json:"-"`
	EndOffset  int    `json:"-"`
	SourceLine string `json:"-"`
}

// FileError is a file that could not be checked (unreadable, binary,
// invalid UTF-8, too large, too deeply nested) or a check that failed on it.
type FileError struct {
	Path    string `json:"filename"`
	Message string `json:"message"`
	// Internal is true for a failure of sparklint itself (a panic in a
	// rule): the run exits with status 2.
	Internal bool `json:"internal"`
}
