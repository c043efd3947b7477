package pyparse

// Kind is a canonical tree-sitter symbol of the Python grammar: symbols that
// share a name (aliases) map to one Kind, so comparing kinds is comparing
// node types.
type Kind uint16

// Field is a tree-sitter field id (0 when the node has no field).
type Field uint16

var (
	symbolNamed []bool
	symbolNames []string
	fieldNames  []string
	canonical   []Kind
	kindByName  = map[string]Kind{}
	fieldByName = map[string]Field{}
)

// Node kinds the analyses use. They are looked up by name at start-up, so
// they are variables, not constants.
var (
	KModule, KError, KComment, KIdentifier, KAttribute, KCall, KArgumentList,
	KKeywordArgument, KLambda, KFunctionDefinition, KClassDefinition,
	KDecoratedDefinition, KDecorator, KAssignment, KAugmentedAssignment,
	KExpressionStatement, KReturnStatement, KIfStatement, KElifClause,
	KElseClause, KForStatement, KWhileStatement, KWithStatement, KWithClause,
	KWithItem, KTryStatement, KBlock, KParameters, KLambdaParameters,
	KTypedParameter, KDefaultParameter, KTypedDefaultParameter,
	KListSplatPattern, KDictionarySplatPattern, KListSplat, KDictionarySplat,
	KImportStatement, KImportFromStatement, KFutureImportStatement,
	KAliasedImport, KDottedName, KRelativeImport, KWildcardImport,
	KGlobalStatement, KNonlocalStatement, KString, KConcatenatedString,
	KStringContent, KStringStart, KStringEnd, KInterpolation, KInteger,
	KFloat, KTrue, KFalse, KNone, KSubscript, KSlice, KBinaryOperator,
	KUnaryOperator, KBooleanOperator, KNotOperator, KComparisonOperator,
	KConditionalExpression, KParenthesizedExpression, KTuple, KList, KSet,
	KDictionary, KPair, KListComprehension, KSetComprehension,
	KDictionaryComprehension, KGeneratorExpression, KForInClause, KIfClause,
	KPatternList, KTuplePattern, KListPattern, KType, KAwait, KYield,
	KNamedExpression, KExceptClause, KAsPattern, KAsPatternTarget, KPass,
	KRaiseStatement, KDeleteStatement, KAssertStatement, KBreakStatement,
	KContinueStatement, KMatchStatement, KEllipsis, KExpressionList,
	KPrintStatement, KExecStatement, KKeywordSeparator, KPositionalSeparator, KGenericType, KTypeParameter, KEscapeSequence Kind
)

var (
	FName, FValue, FBody, FParameters, FFunction, FArguments, FObject,
	FAttribute, FLeft, FRight, FOperator, FType, FCondition, FConsequence,
	FAlternative, FDefinition, FSuperclasses, FModuleName, FAlias,
	FSubscript, FArgument, FReturnType, FOperators, FKey Field
)

func init() {
	symbolNames, symbolNamed, fieldNames = languageTables()
	canonical = make([]Kind, len(symbolNames)+1)
	named := map[string]Kind{}
	anonymous := map[string]Kind{}
	for i, name := range symbolNames {
		// Aliased symbols share a name and become one kind. A keyword
		// token and a node can share a name too ("lambda", "await",
		// "yield", "type"): they stay apart, and names look up nodes.
		set := anonymous
		if symbolNamed[i] {
			set = named
		}
		if k, ok := set[name]; ok {
			canonical[i] = k
			continue
		}
		set[name] = Kind(i)
		canonical[i] = Kind(i)
	}
	kindByName = named
	for i, name := range fieldNames {
		if i > 0 {
			fieldByName[name] = Field(i)
		}
	}
	k := func(name string) Kind {
		if v, ok := kindByName[name]; ok {
			return v
		}
		return Kind(0xFFFE) // not in this grammar version: matches nothing
	}
	f := func(name string) Field {
		if v, ok := fieldByName[name]; ok {
			return v
		}
		return Field(0xFFFE)
	}
	KModule, KComment, KIdentifier, KAttribute, KCall = k("module"), k("comment"), k("identifier"), k("attribute"), k("call")
	KError = Kind(0xFFFF)
	KArgumentList, KKeywordArgument, KLambda = k("argument_list"), k("keyword_argument"), k("lambda")
	KFunctionDefinition, KClassDefinition, KDecoratedDefinition, KDecorator = k("function_definition"), k("class_definition"), k("decorated_definition"), k("decorator")
	KAssignment, KAugmentedAssignment, KExpressionStatement, KReturnStatement = k("assignment"), k("augmented_assignment"), k("expression_statement"), k("return_statement")
	KIfStatement, KElifClause, KElseClause, KForStatement, KWhileStatement = k("if_statement"), k("elif_clause"), k("else_clause"), k("for_statement"), k("while_statement")
	KWithStatement, KWithClause, KWithItem, KTryStatement, KBlock = k("with_statement"), k("with_clause"), k("with_item"), k("try_statement"), k("block")
	KParameters, KLambdaParameters, KTypedParameter, KDefaultParameter, KTypedDefaultParameter = k("parameters"), k("lambda_parameters"), k("typed_parameter"), k("default_parameter"), k("typed_default_parameter")
	KListSplatPattern, KDictionarySplatPattern, KListSplat, KDictionarySplat = k("list_splat_pattern"), k("dictionary_splat_pattern"), k("list_splat"), k("dictionary_splat")
	KImportStatement, KImportFromStatement, KFutureImportStatement = k("import_statement"), k("import_from_statement"), k("future_import_statement")
	KAliasedImport, KDottedName, KRelativeImport, KWildcardImport = k("aliased_import"), k("dotted_name"), k("relative_import"), k("wildcard_import")
	KGlobalStatement, KNonlocalStatement = k("global_statement"), k("nonlocal_statement")
	KString, KConcatenatedString, KStringContent, KStringStart, KStringEnd, KInterpolation = k("string"), k("concatenated_string"), k("string_content"), k("string_start"), k("string_end"), k("interpolation")
	KInteger, KFloat, KTrue, KFalse, KNone = k("integer"), k("float"), k("true"), k("false"), k("none")
	KSubscript, KSlice, KBinaryOperator, KUnaryOperator, KBooleanOperator, KNotOperator = k("subscript"), k("slice"), k("binary_operator"), k("unary_operator"), k("boolean_operator"), k("not_operator")
	KComparisonOperator, KConditionalExpression, KParenthesizedExpression = k("comparison_operator"), k("conditional_expression"), k("parenthesized_expression")
	KTuple, KList, KSet, KDictionary, KPair = k("tuple"), k("list"), k("set"), k("dictionary"), k("pair")
	KListComprehension, KSetComprehension, KDictionaryComprehension, KGeneratorExpression = k("list_comprehension"), k("set_comprehension"), k("dictionary_comprehension"), k("generator_expression")
	KForInClause, KIfClause, KPatternList, KTuplePattern, KListPattern = k("for_in_clause"), k("if_clause"), k("pattern_list"), k("tuple_pattern"), k("list_pattern")
	KType, KAwait, KYield, KNamedExpression, KExceptClause = k("type"), k("await"), k("yield"), k("named_expression"), k("except_clause")
	KAsPattern, KAsPatternTarget, KPass, KRaiseStatement, KDeleteStatement = k("as_pattern"), k("as_pattern_target"), k("pass_statement"), k("raise_statement"), k("delete_statement")
	KAssertStatement, KBreakStatement, KContinueStatement, KMatchStatement = k("assert_statement"), k("break_statement"), k("continue_statement"), k("match_statement")
	KEllipsis, KExpressionList, KPrintStatement, KExecStatement = k("ellipsis"), k("expression_list"), k("print_statement"), k("exec_statement")
	KKeywordSeparator, KPositionalSeparator = k("keyword_separator"), k("positional_separator")
	KGenericType, KTypeParameter, KEscapeSequence = k("generic_type"), k("type_parameter"), k("escape_sequence")

	FName, FValue, FBody, FParameters, FFunction, FArguments = f("name"), f("value"), f("body"), f("parameters"), f("function"), f("arguments")
	FObject, FAttribute, FLeft, FRight, FOperator, FType = f("object"), f("attribute"), f("left"), f("right"), f("operator"), f("type")
	FCondition, FConsequence, FAlternative, FDefinition, FSuperclasses = f("condition"), f("consequence"), f("alternative"), f("definition"), f("superclasses")
	FModuleName, FAlias, FSubscript, FArgument, FReturnType, FOperators = f("module_name"), f("alias"), f("subscript"), f("argument"), f("return_type"), f("operators")
	FKey = f("key")
}

// KindOf returns the canonical kind named name (for tests and tools).
func KindOf(name string) (Kind, bool) {
	k, ok := kindByName[name]
	return k, ok
}

// String returns the grammar's name of the kind.
func (k Kind) String() string {
	if k == KError {
		return "ERROR"
	}
	if int(k) < len(symbolNames) {
		return symbolNames[k]
	}
	return "?"
}
