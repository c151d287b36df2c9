"""The reports' arithmetic and charts (pure Python)."""

from __future__ import annotations

from datetime import date

import pytest

from complaintdesk.reports.domain import figures as fig
from complaintdesk.reports.domain.charts import Chart, Series, fmt, legend_svg, render_svg


def test_percentile_interpolates_between_closest_ranks():
    assert fig.percentile(list(range(1, 11)), 90) == pytest.approx(9.1)
    assert fig.percentile([5.0], 90) == 5.0
    assert fig.percentile([], 90) is None
    assert fig.percentile([30, 5, 48], 90) == pytest.approx(44.4)  # order does not matter


def test_mean_share_and_per_hundred():
    assert fig.mean([2, 4]) == 3 and fig.mean([]) is None
    assert fig.share(2, 3) == pytest.approx(66.666, rel=1e-4) and fig.share(1, 0) is None
    assert fig.per_hundred(2, 1000) == pytest.approx(0.2) and fig.per_hundred(2, None) is None


def test_periods():
    assert fig.week_start(date(2026, 3, 31)) == date(2026, 3, 30)
    assert fig.quarter_start(date(2026, 5, 20)) == date(2026, 4, 1)
    assert fig.quarter_end(date(2026, 11, 2)) == date(2026, 12, 31)
    assert fig.month_end(date(2028, 2, 10)) == date(2028, 2, 29)
    assert fig.previous_month(date(2026, 3, 1)) == fig.Period(date(2026, 2, 1), date(2026, 2, 28))
    assert [q.start for q in fig.quarters(date(2026, 2, 15), date(2026, 7, 1))] == [
        date(2026, 1, 1),
        date(2026, 4, 1),
        date(2026, 7, 1),
    ]


def test_bucket_fills_gaps_and_sums_by_grain():
    counts = {date(2026, 3, 2): 2, date(2026, 3, 31): 1}
    days = fig.bucket(counts, date(2026, 3, 1), date(2026, 3, 31), "day")
    assert len(days) == 31 and days[0] == (date(2026, 3, 1), 0) and days[1] == (date(2026, 3, 2), 2)
    weeks = fig.bucket(counts, date(2026, 3, 1), date(2026, 3, 31), "week")
    assert weeks[0] == (date(2026, 2, 23), 0) and weeks[1] == (date(2026, 3, 2), 2)
    assert fig.bucket(counts, date(2026, 3, 1), date(2026, 4, 30), "month") == [
        (date(2026, 3, 1), 3),
        (date(2026, 4, 1), 0),
    ]
    assert [fig.grain_for(date(2026, 1, 1), date(2026, 1, d)) for d in (31,)] == ["day"]
    assert fig.grain_for(date(2026, 1, 1), date(2026, 4, 30)) == "week"
    assert fig.grain_for(date(2026, 1, 1), date(2026, 12, 31)) == "month"


def test_vietnamese_number_format():
    assert fmt(1234567) == "1.234.567" and fmt(12.5) == "12,5" and fmt(1234.5) == "1.234,5"


def test_svg_escapes_labels_and_carries_the_values():
    chart = Chart(
        "bars", "Theo <kênh>", ("Tổng đài & chat", "Email"), (Series("Số phiếu", (3.0, 1.0)),)
    )
    svg = render_svg(chart)
    assert svg.startswith("<svg") and 'aria-label="Theo &lt;kênh&gt;"' in svg
    assert "Tổng đài &amp; chat — Số phiếu: 3" in svg and "<script" not in svg
    assert svg.count("<rect") == 2
    columns = render_svg(
        Chart("columns", "Theo ngày", ("01/03", "02/03"), (Series("n", (0.0, 2.0)),))
    )
    assert columns.count("<rect") == 1
    assert render_svg(Chart("bars", "Trống", (), ())) == ""
    stacked = Chart(
        "stacked", "Hạn", ("A",), (Series("Đúng hạn", (2.0,)), Series("Quá hạn", (1.0,)))
    )
    assert render_svg(stacked).count("<rect") == 2 and "Quá hạn" in legend_svg(stacked)
