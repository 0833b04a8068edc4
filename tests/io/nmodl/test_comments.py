"""``strip_comments`` (io/nmodl/comments.py): NMODL's comments blanked, line numbers kept, as
NMODL's lexer reads them: ``:`` and ``?`` to the end of a line, COMMENT ... ENDCOMMENT, and a ``:``
inside a string not a comment (a printf's format, ModelDB 113997 ipulse3.mod's form)."""

from excitable.io.nmodl.comments import strip_comments


def test_comments_are_blanked_and_strings_kept_whole():
    text = ('a = 1 : a comment\n printf("g: %g ? \\n", g) : its comment\nb = 2 ? old-style\nCOMMENT\n'
            'x = 3\nENDCOMMENT\nINCLUDE "dir:name.inc"\n')
    assert strip_comments(text) == ["a = 1 ", ' printf("g: %g ? \\n", g) ', "b = 2 ", "", "", "",
                                    'INCLUDE "dir:name.inc"']


def test_a_one_line_comment_block_ends_on_its_line():
    """``COMMENT ... ENDCOMMENT`` on one line: the next lines are code (they were all blanked)."""
    assert strip_comments("COMMENT old ENDCOMMENT\na = 1\n") == ["", "a = 1"]


#: A leak whose header COMMENT keeps a VERBATIM block and the word ENDCOMMENTS (Bezaire et al.'s
#: CA1 network files, ch_*.mod, keep such a header): nocmodl reads all of it as comment.
HEADED = """COMMENT
VERBATIM
/* C that was once here */
ENDVERBATIM
see ENDCOMMENTS below
ENDCOMMENT

NEURON { SUFFIX leakc NONSPECIFIC_CURRENT i RANGE g, e }
PARAMETER { g = 0.001 (S/cm2) e = -65 (mV) }
ASSIGNED { v (mV) i (mA/cm2) }
BREAKPOINT { i = g*(v - e) }
"""


def test_verbatim_and_endcomments_inside_a_comment_block_are_comment(tmp_path):
    """NEURON's NMODL framework stopped at them ("line 4: syntax error", and a C++ ValueError,
    a traceback, for ENDCOMMENTS); its parser is now given the text with COMMENT blocks blanked.
    The leak's current is its closed form, g (v - e) in µA/cm², and a syntax error after such a
    header keeps its line."""
    import numpy as np
    import pytest

    from excitable.errors import ModelError
    from excitable.io.nmodl import load_mod

    path = tmp_path / "leakc.mod"
    path.write_text(HEADED)
    leak = load_mod(path)(g=0.002, e=-70.0)
    s = leak.steady_state(np.asarray(-60.0), 6.3)
    assert float(leak.currents(np.asarray(-60.0), s)["i"]) == pytest.approx(1e3 * 0.002 * 10.0, rel=1e-12)
    bad = tmp_path / "leakbad.mod"
    bad.write_text(HEADED.replace("i = g*(v - e)", "i = g*(v - e"))
    with pytest.raises(ModelError, match=r"leakbad\.mod: line 11"):
        load_mod(bad)
