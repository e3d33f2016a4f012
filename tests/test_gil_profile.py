"""The load benchmark's profile summary: py-spy's collapsed stacks summed by function and by thread."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

from gil_profile import function_shares, summary

RAW = """\
Thread._bootstrap (threading.py:1002);_worker (thread.py:83);keras_differences (explorer/check.py:160) 30
<module> (app.py:7);main (explorer/ui/page.py:260);_render (explorer/ui/page.py:280);build_model (m.py:1) 50
<module> (app.py:7);main (explorer/ui/page.py:260);_render (explorer/ui/page.py:280);f (a.py:1);f (a.py:2) 20
not a stack line
"""


def test_each_function_counts_once_per_stack_and_threads_by_their_first_frame():
    total, functions, threads = function_shares(RAW)
    assert total == 100
    assert functions["_render"] == 70 and functions["build_model"] == 50 and functions["keras_differences"] == 30
    assert functions["f"] == 20  # recursion is not counted twice
    assert threads == {"<module>": 70, "Thread._bootstrap": 30}


def test_the_summary_shows_the_top_functions_and_those_asked_for():
    lines = summary(RAW, of=("keras_differences", "absent"), top=2)
    assert lines[:2] == [" 70.0 %  <module>", " 70.0 %  main"]
    assert lines[-1] == " 30.0 %  keras_differences" and not any("absent" in line for line in lines)
    assert summary("") == ["no samples (did py-spy have the rights to read the process?)"]
