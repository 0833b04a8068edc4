"""``strip_comments`` (io/nmodl/comments.py): NMODL's comments blanked, line numbers kept, as
NMODL's lexer reads them: ``:`` and ``?`` to the end of a line, COMMENT ... ENDCOMMENT, and a ``:``
inside a string not a comment (a printf's format, ModelDB 113997 ipulse3.mod's form)."""

from excitable.io.nmodl.comments import strip_comments


def test_comments_are_blanked_and_strings_kept_whole():
    text = ('a = 1 : a comment\n printf("g: %g ? \\n", g) : its comment\nb = 2 ? old-style\nCOMMENT\n'
            'x = 3\nENDCOMMENT\nINCLUDE "dir:name.inc"\n')
    assert strip_comments(text) == ["a = 1 ", ' printf("g: %g ? \\n", g) ', "b = 2 ", "", "", "",
                                    'INCLUDE "dir:name.inc"']
