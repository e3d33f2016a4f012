"""Hostile input by the thousand (property-based, hypothesis): odd URLs, CSV text and uploaded bytes always give
a view or a plain message, never an exception. Examples are bounded for the suite (LSTM_EXPLORER_HYPOTHESIS_EXAMPLES
raises them for a longer run)."""

import os

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from streamlit.testing.v1 import AppTest

from explorer.shaper import ShaperError, parse_series
from explorer.upload.loading import UploadError, load_uploaded_model
from explorer.view import QUERY_FIELDS, ViewConfig
from tests.test_app import APP, TIMEOUT

EXAMPLES = int(os.environ.get("LSTM_EXPLORER_HYPOTHESIS_EXAMPLES", "200"))
KEYS = [q.key for q in QUERY_FIELDS]
values = st.one_of(
    st.text(max_size=40),
    st.integers(-(10**12), 10**12).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
    st.lists(st.integers(-5, 300), max_size=6).map(lambda xs: ",".join(map(str, xs))),
    st.sampled_from(["", "<script>alert(1)</script>", "1,0,1", "true", "nan", "-1", "1e309", "０", "🙂", "\x00"]),
)
queries = st.dictionaries(
    st.one_of(st.sampled_from(KEYS), st.text(max_size=12)), st.one_of(values, st.lists(values, min_size=1, max_size=3))
)


@settings(max_examples=EXAMPLES, deadline=None)
@given(queries)
def test_any_query_string_gives_a_valid_view_and_short_notices(params):
    view, notices = ViewConfig.from_query_params(params)
    assert isinstance(view, ViewConfig)
    assert all(len(str(n)) < 600 for n in notices)
    again, more = ViewConfig.from_query_params(view.to_query_params())  # what the page writes back is clean
    assert again == view and more == []


@settings(max_examples=max(EXAMPLES // 20, 5), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(queries)
def test_the_page_renders_any_query_string_without_a_traceback(params):
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, [e.value for e in at.exception]


@settings(max_examples=EXAMPLES, deadline=None)
@given(st.one_of(st.text(max_size=400), st.binary(max_size=400).map(lambda b: b.decode("latin-1"))))
def test_any_pasted_csv_is_parsed_or_refused_plainly(text):
    try:
        series = parse_series(text)
    except ShaperError as err:
        assert str(err) and "Traceback" not in str(err)
    else:  # what is accepted can be fed to the model: finite float32 numbers
        assert series.values.dtype == np.float32 and np.isfinite(series.values).all()


@pytest.mark.parametrize("big", ["1e39", "-4e38", "1e300"])
def test_a_number_beyond_float32_is_refused_with_its_row(big):  # row 2 of the data, below the header
    with pytest.raises(ShaperError, match=r"Row 2 holds '.*': beyond float32's range"):
        parse_series(f"x\n1.5\n{big}\n2\n")


@settings(max_examples=max(EXAMPLES // 4, 10), deadline=None)
@given(st.one_of(st.binary(max_size=300), st.binary(max_size=300).map(lambda b: b"PK\x03\x04" + b),
                 st.binary(max_size=300).map(lambda b: b"\x89HDF\r\n\x1a\n" + b)))  # fmt: skip
def test_any_uploaded_bytes_open_or_are_refused_plainly(data):
    try:
        load_uploaded_model(data)
    except UploadError as err:
        assert str(err) and "Traceback" not in str(err)
