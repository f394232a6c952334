"""The RSQL grammar (lark, LALR with the contextual lexer).

`;` or `and` joins with AND, `,` or `or` with OR; AND binds tighter; parentheses group.
Whitespace between tokens is ignored. Unquoted values may hold any character except
whitespace and `"'();,=!<>`; quote anything else with single or double quotes, where a
backslash escapes the next character. The `and`/`or` keywords are recognised only where
a connective may stand, so `name==and` compares with the text "and".
"""

GRAMMAR = r"""
?start: disjunction

?disjunction: conjunction ((_COMMA | _OR_WORD) conjunction)*
?conjunction: constraint ((_SEMI | _AND_WORD) constraint)*
?constraint: group
           | comparison
group: LPAR disjunction _RPAR
comparison: SELECTOR OPERATOR arguments
?arguments: value
          | value_list
value_list: LPAR value (_COMMA value)* _RPAR
value: UNQUOTED -> bare
     | DOUBLE_QUOTED -> quoted
     | SINGLE_QUOTED -> quoted

SELECTOR: /[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*/
OPERATOR: /=[A-Za-z]*=|!=|<=|>=|<|>/
UNQUOTED: /[^\s"'();,=!<>]+/
DOUBLE_QUOTED: /"(?:[^"\\]|\\.)*"/s
SINGLE_QUOTED: /'(?:[^'\\]|\\.)*'/s
LPAR: "("
_RPAR: ")"
_SEMI: ";"
_COMMA: ","
_AND_WORD: /and(?![^\s"'();,=!<>])/i
_OR_WORD: /or(?![^\s"'();,=!<>])/i

%ignore /\s+/
"""

# what the terminals are called in syntax error messages
TERMINAL_NAMES = {
    "SELECTOR": "a field name",
    "OPERATOR": "an operator",
    "UNQUOTED": "a value",
    "DOUBLE_QUOTED": "a value",
    "SINGLE_QUOTED": "a value",
    "LPAR": "'('",
    "_RPAR": "')'",
    "_SEMI": "';'",
    "_AND_WORD": "'and'",
    "_COMMA": "','",
    "_OR_WORD": "'or'",
    "$END": "the end of the filter",
}
