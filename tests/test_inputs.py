"""The data a report reads: the one list of its columns, and reading only those."""

from __future__ import annotations

import pandas as pd
import pytest

from nps_toolkit import reporting as report
from nps_toolkit.reporting import deliverables, inputs, sections
from nps_toolkit.reporting.inputs import report_columns


def _sections(df: pd.DataFrame, params: dict) -> dict:
    """Every number the template computes (cells 1-3, the appendix and the workbook)."""
    s = sections.Settings.from_parameters(params)
    df = report.label_values(df, params.get("value_labels") or {})
    tr = sections.trend(df, s)
    head = sections.headline(df, s, tr)
    segs = sections.segments(df, s)
    drivers = sections.drivers(df, s)
    comments = sections.comments(df, s)
    followup = sections.followup(head.rows, s)
    wave = s.wave if s.has(df, s.wave) else None
    used = sections.in_effect(
        params, df, s, trend=tr, goal=sections.goal(tr, s), segments=segs, drivers=drivers,
        comments=comments, followup=followup,
    )  # fmt: skip
    return {
        "trend": tr.table,
        "goal": sections.goal(tr, s),
        "headline": head.summary,
        "pooled": head.pooled,
        "interval": (head.interval.estimate, head.interval.ci_low, head.interval.ci_high),
        "segments": segs.table,
        "drivers": drivers,
        "impact": None if comments is None else comments.impact,
        "quotes": None if comments is None else comments.quotes,
        "terms": None if comments is None else comments.terms,
        "commenters": None if comments is None else comments.commenters,
        "followup": None if followup is None else followup.counts,
        "to_contact": None if followup is None else followup.to_contact,
        "banner": deliverables.banner(head.rows, params.get("banners"), s),
        "target": deliverables.target_test(head.rows, params.get("target"), s),
        "invited": report.invited_total(df, s.invited, wave),
        "accounts": df[s.account].nunique() if s.has(df, s.account) else None,
        "in_effect": used,
    }


def _same(a, b, where):
    if isinstance(a, pd.DataFrame):
        pd.testing.assert_frame_equal(a, b, obj=where)
    elif isinstance(a, dict):
        assert a.keys() == b.keys(), where
        for k in a:
            _same(a[k], b[k], f"{where}.{k}")
    elif hasattr(a, "__dataclass_fields__"):
        assert repr(a) == repr(b), where
    else:
        assert a == b, where


B2B = {"banners": ["region", "tenure"], "target": 30, "value_labels": {"region": {"North": "N"}}}
B2C = {
    "example": "b2c-monthly", "weights": "weight", "wave": None, "freq": "ME",
    "segments": ["channel", "region", "customer_type"], "drivers": [], "account": None,
    "invited": None, "banners": ["channel"], "row_filter": "region != 'North'",
}  # fmt: skip


@pytest.mark.parametrize("own", [B2B, B2C], ids=["b2b-annual", "b2c-monthly"])
def test_sections_from_the_report_columns_alone_are_the_same(own):
    params = {**report.template_parameters(), **own, "n_resamples": 30, "seed": 7}
    full = report.load_data(None, example=params["example"], row_filter=params["row_filter"])
    if len(full) > 4000:  # the sections' cost, not the columns, grows with the rows
        full = full.iloc[:4000]
    columns = [c for c in report_columns(params) if c in full.columns]
    assert len(columns) < len(full.columns)  # some columns are left out
    narrow = full[columns]
    narrow.attrs = dict(full.attrs)
    _same(_sections(full, params), _sections(narrow, params), "section")


def test_dropping_any_report_column_changes_a_section():
    """No column of the list is there for nothing in the b2b example: each one dropped
    changes some number (so a column missing from the list would fail the test above)."""
    params = {**report.template_parameters(), **B2B, "n_resamples": 30, "seed": 7}
    full = report.load_data(None, example="b2b-annual").iloc[:600]
    columns = [c for c in report_columns(params) if c in full.columns]
    reference = _sections(full[columns], params)
    for dropped in ["recommend", "region", "price", "wave", "account_id", "comment", "email",
                    "responded_at", "invited", "respondent_id"]:  # fmt: skip
        assert dropped in columns
        try:
            got = _sections(full[[c for c in columns if c != dropped]], params)
        except (KeyError, ValueError, report.ConfigError):
            continue  # refused: the column was needed
        with pytest.raises(AssertionError):
            _same(reference, got, "section")


def test_report_columns_in_the_files_names_with_renames():
    params = {"score": "recommend", "segments": ["region"], "columns": {"Q1": "recommend"}}
    assert report_columns(params)[:2] == ["Q1", "region"]
    assert "store" in report_columns({"score": "recommend", "split": "store"})
    assert "lang" in report_columns({"language": "lang"})
    assert "fi" not in report_columns({"language": "fi"})
    assert {"k", "x"} <= set(report_columns({"rake": {"k": {}}, "value_labels": {"x": {}}}))


# --- reading only those columns through DuckDB --------------------------------------

DRIVERS = ["communication", "response_speed", "follow_up", "meeting_expectations",
           "personal_attention", "price", "quality"]  # fmt: skip


def _b2b_file(tmp_path, suffix, rows=700):
    df = report.load_data(None, example="b2b-annual").iloc[:rows]
    path = tmp_path / f"survey{suffix}"
    if suffix == ".csv":
        df.to_csv(path, index=False)
    else:
        df.to_parquet(path, index=False)
    return path


def _load(path, params, **kw):
    return report.load_data(
        path, row_filter=params["row_filter"], score=params["score"], min_n=params["min_n"],
        used=report_columns(params), ratings=params["drivers"], **kw,
    )  # fmt: skip


@pytest.mark.parametrize("suffix", [".parquet", ".csv"])
def test_a_large_file_read_by_duckdb_gives_the_same_sections(tmp_path, monkeypatch, suffix):
    params = {**report.template_parameters(), **B2B, "n_resamples": 30, "seed": 7}
    params["row_filter"] = "wave >= 2"
    path = _b2b_file(tmp_path, suffix)
    in_pandas = _load(path, params)  # a small file: load_survey
    assert len(in_pandas.columns) == 25
    monkeypatch.setattr(inputs, "LARGE_FILE_BYTES", 0)
    in_duckdb = _load(path, params)
    assert set(in_duckdb.columns) == set(report_columns(params)) & set(in_pandas.columns)
    assert (in_duckdb[DRIVERS].dtypes == "float32").all()
    assert in_duckdb.attrs["rows_before_filter"] == in_pandas.attrs["rows_before_filter"] == 700
    assert in_duckdb.attrs["sha256"] == in_pandas.attrs["sha256"]
    _same(_sections(in_pandas, params), _sections(in_duckdb, params), "section")


def test_parts_are_read_with_the_report_columns_only(tmp_path):
    params = {**report.template_parameters(), **B2B, "n_resamples": 30, "seed": 7}
    whole = report.load_data(None, example="b2b-annual").iloc[:700]
    (tmp_path / "parts").mkdir()
    whole.iloc[:300].to_parquet(tmp_path / "parts" / "a.parquet", index=False)
    whole.iloc[300:].to_parquet(tmp_path / "parts" / "b.parquet", index=False)
    parts = _load(tmp_path / "parts", params)
    assert "comment_theme" not in parts.columns and "price" in parts.columns
    whole.attrs = dict(parts.attrs)
    _same(_sections(whole, params), _sections(parts, params), "section")


def test_a_bad_score_in_a_large_file_names_file_column_and_row(tmp_path, monkeypatch):
    monkeypatch.setattr(inputs, "LARGE_FILE_BYTES", 0)
    df = pd.DataFrame({"recommend": [9.0, 3, 8, 12], "region": ["N", "S", "N", "S"]})
    df.to_parquet(tmp_path / "bad.parquet", index=False)
    params = {"score": "recommend", "segments": ["region"], "row_filter": "region == 'N'"}
    with pytest.raises(
        ValueError, match=r"column 'recommend'.*12\.0 \(.*bad\.parquet, row index 3"
    ):
        # the bad row is outside the filter: the file is refused as load_survey refuses it
        report.load_data(tmp_path / "bad.parquet", row_filter=params["row_filter"], score="recommend",
                         used=report_columns(params))  # fmt: skip
    with pytest.raises(report.ConfigError, match="key 'segments': column 'regoin'"):
        report.load_data(tmp_path / "bad.parquet", required={"segments": ["regoin"]},
                         used=report_columns(params))  # fmt: skip


def _store_parts(tmp_path, stores=("S1", "S2", "S'3"), each=40):
    """Two Parquet parts of shops' answers (a quote in one shop's name)."""
    rows = [
        {
            "recommend": (i * 7 + k) % 11,
            "shop": shop,
            "region": "N" if k % 2 else "S",
            "comment": None if i % 3 else f"comment {i}",
        }  # fmt: skip
        for k, shop in enumerate(stores)
        for i in range(each)
    ]
    df = pd.DataFrame(rows)
    (tmp_path / "parts").mkdir()
    df.iloc[: len(df) // 2].to_parquet(tmp_path / "parts" / "a.parquet", index=False)
    df.iloc[len(df) // 2 :].to_parquet(tmp_path / "parts" / "b.parquet", index=False)
    return tmp_path / "parts", df


def test_split_values_after_the_first_are_read_from_the_kept_copy(tmp_path):
    """A kernel rendering one shop after another keeps the parts' used columns in memory
    from the second shop on; every shop's rows and checks are those of a fresh scan."""
    folder, df = _store_parts(tmp_path)
    used = ["recommend", "shop", "region", "comment"]
    inputs._KEPT.clear()
    frames = []
    for shop in ["S1", "S2", "S'3", "S1"]:
        f = f"shop == {shop!r} and region == 'N'" if shop == "S2" else f"shop == {shop!r}"
        frames.append((f, report.load_data(folder, row_filter=f, used=used, score="recommend")))
    (kept,) = inputs._KEPT.values()
    assert kept.copied and not isinstance(kept.source, type(folder))  # an in-memory table
    assert kept.rows == 120 and kept.answered == 120
    for f, got in frames:
        inputs._KEPT.clear()  # a fresh kernel: the parts scanned
        fresh = report.load_data(folder, row_filter=f, used=used, score="recommend")
        pd.testing.assert_frame_equal(got.reset_index(drop=True), fresh.reset_index(drop=True))
        assert got.attrs == fresh.attrs
        expected = df.query(f).reset_index(drop=True)
        assert got["recommend"].tolist() == expected["recommend"].tolist()


def test_changed_parts_are_read_again(tmp_path):
    folder, df = _store_parts(tmp_path)
    inputs._KEPT.clear()
    for _ in range(2):
        before = report.load_data(folder, row_filter="shop == 'S1'", used=["recommend", "shop"])
    df.iloc[:10].assign(recommend=10).to_parquet(folder / "a.parquet", index=False)
    after = report.load_data(folder, row_filter="shop == 'S1'", used=["recommend", "shop"])
    # part a held the 40 answers of S1; now it holds 10, all 10
    assert len(before) == 40 and len(after) == 10 and (after["recommend"] == 10).all()


def test_a_filter_on_parts_leaving_out_fewer_than_min_n_answers_is_refused(tmp_path):
    """The whole data minus this report would show the left-out answers (as for one file)."""
    folder, _ = _store_parts(tmp_path, stores=("S1", "S2"), each=40)
    inputs._KEPT.clear()
    ok = report.load_data(folder, row_filter="shop == 'S1'", used=["recommend", "shop"],
                          score="recommend", min_n=5)  # fmt: skip
    assert len(ok) == 40
    with pytest.raises(ValueError, match="leave out 4 answers in 'recommend', fewer than min_n 5"):
        # S1 answered 0 four times (i = 0, 11, 22, 33)
        report.load_data(folder, row_filter="not (shop == 'S1' and recommend == 0)",
                         used=["recommend", "shop"], score="recommend", min_n=5)  # fmt: skip
