from datetime import UTC, datetime

import pytest

from complaintdesk.force_majeure.domain.scope import Target, in_scope, overlaps, region_matches


@pytest.mark.parametrize(
    ("address", "region", "expected"),
    [
        ("12 Lê Lợi, TP. Quy Nhơn, tỉnh Bình Định", "Bình Định", True),
        ("12 Le Loi, Quy Nhon, BINH DINH", "Bình Định", True),  # typed without accents
        ("Số 5 Đường Láng, Đống Đa, Hà Nội", "ha noi", True),
        ("Phủ Lý, Hà Nam", "Hà Nội", False),
        ("Phủ Lý, Hà Namh", "Hà Nam", False),  # whole words only
        ("Đà Nẵng", "Da Nang", True),  # đ folds to d
        ("", "Bình Định", False),
        ("Bình Định", "  ", False),
    ],
)
def test_region_matches_on_folded_whole_words(address, region, expected):
    assert region_matches(address, region) is expected


def test_scope_kinds():
    target = Target(
        channel="zalo", address="Quy Nhơn, Bình Định", category_path=("wifi", "internet")
    )
    assert in_scope("all", "", target)
    assert in_scope("channel", "zalo", target) and not in_scope("channel", "hotline", target)
    assert in_scope("category", "wifi", target) and not in_scope("category", "internet", target)
    assert in_scope("service", "internet", target) and in_scope("service", "wifi", target)
    assert not in_scope("service", "truyen-hinh", target)
    assert in_scope("region", "binh dinh", target)


def test_overlaps():
    start = datetime(2026, 3, 1, tzinfo=UTC)
    end = datetime(2026, 3, 3, tzinfo=UTC)
    assert overlaps(start, None, datetime(2030, 1, 1, tzinfo=UTC))
    assert overlaps(start, end, datetime(2026, 3, 2, tzinfo=UTC))
    assert not overlaps(start, end, end)
