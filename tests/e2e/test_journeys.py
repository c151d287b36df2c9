"""User journeys in a real browser (headless Chromium) against the live server."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest
from playwright.sync_api import expect

from complaintdesk.complaints.models import Attachment, Complaint, Task
from complaintdesk.complaints.services import complaint_transition
from complaintdesk.core.clock import LOCAL_TZ
from tests.e2e.conftest import png, sign_in, sign_out, take_action

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_hotline_complaint_from_first_call_to_closure(page, org, shot, complaint_factory):
    earlier = complaint_factory.create(
        actor=org.receiver,
        customer={"name": "Nguyễn Thị Hoa", "phone": "0912345678"},
        subject="Không gia hạn được gói VIP",
    )
    sign_in(page, "receiver")
    expect(page.get_by_role("heading", name="Việc của tôi")).to_be_visible()
    shot(page, "my-work")

    page.get_by_role("link", name="Tạo phiếu").first.click()
    expect(page.get_by_role("heading", name="Tạo phiếu tiếp nhận")).to_be_visible()
    page.get_by_label("Số điện thoại").press_sequentially("+84 912 345 678", delay=20)
    lookup = page.locator("#lookup")
    expect(lookup).to_contain_text("Nguyễn Thị Hoa")
    expect(lookup).to_contain_text(earlier.code)
    expect(page.locator("#preview")).to_contain_text("Quy trình áp dụng")
    page.get_by_label("Họ tên khách hàng").fill("Nguyễn Thị Hoa")
    page.get_by_label("Tiêu đề").fill("Xem phim bị giật, mất tiếng")
    page.get_by_label("Nội dung", exact=True).fill("Từ tối qua xem phim trên TV bị giật liên tục.")
    page.get_by_label("Danh mục").select_option("technical")
    shot(page, "new-complaint")
    page.get_by_role("button", name="Lưu phiếu").click()
    expect(page.locator(".flash")).to_contain_text("Đã tạo phiếu")
    complaint = Complaint.objects.exclude(pk=earlier.pk).get()
    expect(page.get_by_role("heading", level=1)).to_contain_text(complaint.code)
    expect(page.locator(".customer")).to_contain_text(earlier.code)  # history on the customer card
    shot(page, "complaint-received")

    take_action(page, "Xác nhận đã tiếp nhận")
    expect(page.locator("h1 .status")).to_have_text("Đã báo tiếp nhận")
    take_action(page, "Bắt đầu kiểm tra, xác minh")
    take_action(
        page,
        "Trả lời sau",
        {"Lý do cần thêm thời gian": "Cần phòng Kỹ thuật kiểm tra đường truyền"},
    )
    expect(page.locator("h1 .status")).to_have_text("Chờ trả lời sau")
    take_action(
        page,
        "Phối hợp xử lý",
        {"Nội dung cần phối hợp": "Kiểm tra tín hiệu khu vực"},
        selects={"Bộ phận phối hợp": "ky-thuat"},
    )
    page.locator("summary", has_text="Giao nhiệm vụ cho phòng ban").click()
    tasks = page.locator("section", has=page.get_by_role("heading", name="Nhiệm vụ phối hợp"))
    tasks.get_by_label("Phòng ban").select_option("ky-thuat")
    tasks.get_by_label("Việc cần làm").fill("Đo tín hiệu tại nhà khách hàng")
    tomorrow = (datetime.now(LOCAL_TZ) + timedelta(days=1)).strftime("%d/%m/%Y 17:00")
    tasks.get_by_label("Hạn (dd/mm/yyyy hh:mm)").fill(tomorrow)
    tasks.get_by_role("button", name="Giao nhiệm vụ").click()
    expect(page.locator(".flash")).to_contain_text("Đã giao nhiệm vụ.")
    expect(page.locator(".tasks")).to_contain_text("Đo tín hiệu tại nhà khách hàng")
    shot(page, "task-given")
    sign_out(page)

    sign_in(page, "staff")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Bảng phòng ban")
    expect(page.locator(".tasks.board")).to_contain_text("Đo tín hiệu tại nhà khách hàng")
    shot(page, "department-board")
    page.locator("summary", has_text="Cập nhật nhiệm vụ").first.click()
    page.get_by_label("Tình trạng").select_option("done")
    page.get_by_label("Kết quả").fill("Đã thay bộ chia tín hiệu, hình ảnh ổn định")
    page.get_by_role("button", name="Lưu").click()
    expect(page.locator(".flash")).to_contain_text("Đã cập nhật nhiệm vụ.")
    page.get_by_role("link", name=complaint.code).first.click()
    take_action(
        page,
        "Hoàn tất giải quyết",
        {"Kết quả giải quyết": "Đã khắc phục đường truyền tại nhà khách"},
    )
    expect(page.locator("h1 .status")).to_have_text("Đã giải quyết")
    sign_out(page)

    sign_in(page, "receiver")
    page.goto(f"/complaints/{complaint.pk}/")
    take_action(
        page, "Thông báo kết quả", {"Nội dung thông báo": "Đường truyền đã được khắc phục."}
    )
    take_action(page, "Xác nhận hài lòng")
    expect(page.locator("h1 .status")).to_have_text("Đã đóng")
    expect(page.locator(".timeline")).to_contain_text("Giao nhiệm vụ phối hợp")
    shot(page, "closed")
    complaint.refresh_from_db()
    assert complaint.status == "closed"
    assert Task.objects.get(complaint=complaint).result.startswith("Đã thay bộ chia")


def test_unsatisfied_customer_escalated_to_leadership(page, org, shot, complaint_factory):
    c = complaint_factory.create(
        actor=org.receiver, customer={"name": "Vũ Minh Khang", "phone": "0988111222"}
    )
    c = complaint_transition(
        complaint=c,
        action="answer_now",
        actor=org.receiver,
        inputs={"explanation": "Hướng dẫn cài lại ứng dụng"},
    )
    sign_in(page, "receiver")
    page.goto(f"/complaints/{c.pk}/")
    take_action(
        page,
        "Ghi nhận chưa hài lòng",
        {"Ý kiến khách hàng": "Vẫn không xem được, yêu cầu gặp lãnh đạo"},
    )
    expect(page.locator("h1 .status")).to_have_text("Khách hàng chưa hài lòng")
    shot(page, "unsatisfied")
    sign_out(page)

    sign_in(page, "leadership")
    expect(page.get_by_role("heading", level=1)).to_have_text("Tổng quan cho lãnh đạo")
    page.get_by_role("link", name="Danh sách phiếu").click()
    page.get_by_label("Tìm theo mã, số điện thoại hoặc tên").fill("0988 111 222")
    expect(page.locator("#results")).to_contain_text(c.code)
    shot(page, "search-by-phone")
    page.locator("#results").get_by_role("link", name=c.code).click()
    take_action(
        page,
        "Chuyển lãnh đạo xử lý",
        {"Lý do chuyển": "Khách chưa hài lòng sau 48 giờ"},
        selects={"Cấp xử lý": "leadership"},
    )
    expect(page.locator("h1 .status")).to_have_text("Đã chuyển lãnh đạo")
    page.get_by_role("link", name="Lãnh đạo").click()
    expect(page.locator("section", has_text="Phiếu chuyển lãnh đạo")).to_contain_text(c.code)
    shot(page, "leadership-view")
    page.get_by_role("link", name=c.code).first.click()
    take_action(
        page, "Chỉ đạo xử lý lại", {"Nội dung chỉ đạo": "CSKH đến tận nhà hỗ trợ trong 24 giờ"}
    )
    expect(page.locator("h1 .status")).to_have_text("Đang phối hợp xử lý")
    shot(page, "rehandled")
    c.refresh_from_db()
    assert c.escalation_level == 2


def test_letter_with_a_scanned_attachment(page, org, shot):
    sign_in(page, "receiver")
    page.goto("/complaints/new/?channel=letter")
    expect(page.get_by_label("Kênh tiếp nhận")).to_have_value("letter")
    page.get_by_label("Thời điểm tiếp nhận").fill("02/03/2026 08:15")
    page.get_by_label("Số điện thoại").fill("0256 3822117")
    page.get_by_label("Họ tên khách hàng").fill("Hoàng Văn Lâm")
    page.get_by_label("Địa chỉ").fill("12 Trần Hưng Đạo, Quy Nhơn")
    page.get_by_label("Tiêu đề").fill("Thư khiếu nại cước tháng 2")
    page.locator("summary", has_text="Thông tin thanh toán").click()
    page.get_by_label("Số tiền (₫)").fill("120.000")
    # Drop a scan on the drop zone, as the receiver drags it from the scanner's folder.
    scan = list(png())
    page.evaluate(
        """(bytes) => {
            const file = new File([new Uint8Array(bytes)], "thu-khieu-nai.png", {type: "image/png"});
            const dt = new DataTransfer(); dt.items.add(file);
            const zone = document.querySelector("[data-dropzone]");
            zone.dispatchEvent(new DragEvent("drop", {dataTransfer: dt, bubbles: true, cancelable: true}));
        }""",
        scan,
    )
    expect(page.locator("[data-file-list]").first).to_contain_text("thu-khieu-nai.png")
    shot(page, "letter-form")
    page.get_by_role("button", name="Lưu phiếu").click()
    expect(page.locator(".flash")).to_contain_text("Đã tạo phiếu")
    complaint = Complaint.objects.get()
    assert complaint.channel == "letter"
    image = page.locator(".attachments img")
    expect(image).to_have_attribute("alt", "thu-khieu-nai.png")
    # The preview is fetched after the page (lazily, once visible): wait until it is decoded.
    image.scroll_into_view_if_needed()
    page.wait_for_function(
        "() => { const i = document.querySelector('.attachments img');"
        " return i && i.complete && i.naturalWidth > 0; }",
        timeout=10_000,
    )
    assert page.evaluate("document.querySelector('.attachments img').naturalWidth") == 240
    expect(page.locator("body")).to_contain_text("120.000 ₫")
    shot(page, "letter-complaint")
    assert Attachment.objects.get(complaint=complaint).content_type == "image/png"
    page.get_by_role("link", name="In phiếu tiếp nhận").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("PHIẾU TIẾP NHẬN KHIẾU NẠI, YÊU CẦU")
    expect(page.locator("table")).to_contain_text("02/03/2026 08:15")
    page.emulate_media(media="print")
    shot(page, "receipt-print")


def test_switching_the_language(page, org, shot, complaint_factory):
    complaint_factory.create(actor=org.receiver)
    page.goto("/login/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Đăng nhập")
    shot(page, "login-vi")
    page.get_by_role("button", name="English").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    shot(page, "login-en")
    sign_in(page, "admin", english=True)
    expect(page.get_by_role("heading", level=1)).to_have_text("Complaints")
    expect(page.get_by_role("link", name="Administration")).to_be_visible()
    shot(page, "list-en")
    page.locator("#results").get_by_role("link").first.click()
    expect(page.get_by_role("heading", name="Messages with the customer")).to_be_visible()
    expect(page.locator("summary", has_text="Acknowledge")).to_be_visible()
    shot(page, "complaint-en")
    page.go_back()
    page.set_viewport_size({"width": 390, "height": 844})
    shot(page, "list-en-phone")
    page.get_by_role("button", name="Tiếng Việt").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Danh sách phiếu")
    shot(page, "list-vi-phone")


def test_keyboard_only_sign_in_and_skip_link(page, org, shot):
    page.goto("/login/")
    page.keyboard.press("Tab")
    expect(page.locator(".skip-link")).to_be_focused()
    page.get_by_label("Tên đăng nhập").focus()
    page.keyboard.type("receiver")
    page.keyboard.press("Tab")
    page.keyboard.type("matkhau-123")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile("/my-work/$"))
    shot(page, "after-keyboard-sign-in")


def test_force_majeure_declared_and_approved_and_procedure_view(page, org, shot):
    sign_in(page, "head")
    page.get_by_role("link", name="Bất khả kháng").click()
    page.locator("summary", has_text="Công bố sự kiện mới").click()
    page.get_by_label("Lý do").fill("Bão số 3: mất điện diện rộng tại Bình Định")
    page.get_by_label("Bắt đầu (dd/mm/yyyy hh:mm)").fill("01/09/2026 08:00")
    page.get_by_label("hoặc liên kết bằng chứng").fill("https://nchmf.gov.vn/bao-so-3")
    page.get_by_role("button", name="Công bố", exact=True).click()
    expect(page.locator(".flash")).to_contain_text("chờ lãnh đạo phê duyệt")
    shot(page, "declared")
    sign_out(page)
    sign_in(page, "leadership")
    page.goto("/force-majeure/")
    page.get_by_role("button", name="Phê duyệt").click()
    expect(page.locator("table")).to_contain_text("Đã phê duyệt")
    shot(page, "approved")
    page.get_by_role("link", name="Quy trình", exact=True).click()
    expect(page.locator(".steps-flow")).to_be_visible()
    shot(page, "procedure")
