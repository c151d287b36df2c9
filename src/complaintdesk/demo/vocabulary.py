"""Vietnamese words the demo data is made of: names, places, services and typical complaints.

Plain data, no Django. ``SCENARIOS`` holds, per leaf category, what customers of streaming,
cable-TV and telecom companies actually complain about, with the block the seed's intake
record asks for (account, content or payment).
"""

from __future__ import annotations

from dataclasses import dataclass

FAMILY_NAMES = (
    ("Nguyễn", 30),
    ("Trần", 11),
    ("Lê", 9),
    ("Phạm", 7),
    ("Hoàng", 5),
    ("Huỳnh", 4),
    ("Phan", 4),
    ("Vũ", 4),
    ("Võ", 4),
    ("Đặng", 3),
    ("Bùi", 3),
    ("Đỗ", 3),
    ("Hồ", 2),
    ("Ngô", 2),
    ("Dương", 2),
    ("Lý", 1),
    ("Đinh", 1),
    ("Trương", 1),
    ("Lương", 1),
    ("Mai", 1),
)
MALE_MIDDLE = ("Văn", "Hữu", "Đức", "Minh", "Quốc", "Thanh", "Công", "Xuân", "Gia", "Hoàng")
FEMALE_MIDDLE = ("Thị", "Ngọc", "Thu", "Thanh", "Mỹ", "Kim", "Bảo", "Phương", "Hoài", "Diệu")
MALE_GIVEN = (
    "An",
    "Bình",
    "Cường",
    "Dũng",
    "Đạt",
    "Hải",
    "Hiếu",
    "Hùng",
    "Huy",
    "Khang",
    "Khoa",
    "Long",
    "Minh",
    "Nam",
    "Nghĩa",
    "Phong",
    "Phúc",
    "Quân",
    "Sơn",
    "Tài",
    "Thắng",
    "Thành",
    "Trung",
    "Tuấn",
    "Việt",
    "Vinh",
)
FEMALE_GIVEN = (
    "Anh",
    "Châu",
    "Chi",
    "Dung",
    "Giang",
    "Hà",
    "Hạnh",
    "Hoa",
    "Hương",
    "Lan",
    "Linh",
    "Mai",
    "My",
    "Ngân",
    "Nhung",
    "Oanh",
    "Phương",
    "Quỳnh",
    "Thảo",
    "Trang",
    "Trinh",
    "Uyên",
    "Vy",
    "Yến",
)

# Mobile prefixes of the three big networks (Viettel, VinaPhone, MobiFone).
MOBILE_PREFIXES = (
    "086",
    "096",
    "097",
    "098",
    "032",
    "033",
    "034",
    "035",
    "036",
    "037",
    "038",
    "039",
    "088",
    "091",
    "094",
    "083",
    "084",
    "085",
    "081",
    "082",
    "090",
    "093",
    "070",
    "076",
    "077",
    "078",
    "079",
)
EMAIL_DOMAINS = ("gmail.com", "gmail.com", "gmail.com", "yahoo.com", "outlook.com", "fpt.vn")

STREETS = (
    "Trần Hưng Đạo",
    "Lê Lợi",
    "Nguyễn Huệ",
    "Hai Bà Trưng",
    "Phan Bội Châu",
    "Lý Thường Kiệt",
    "Ngô Mây",
    "Xuân Diệu",
    "Nguyễn Thái Học",
    "Tây Sơn",
    "Hùng Vương",
    "Điện Biên Phủ",
)
PLACES = (
    ("Phường Lê Lợi", "Quy Nhơn", "Bình Định"),
    ("Phường Nguyễn Văn Cừ", "Quy Nhơn", "Bình Định"),
    ("Phường Ghềnh Ráng", "Quy Nhơn", "Bình Định"),
    ("Thị trấn Tuy Phước", "Tuy Phước", "Bình Định"),
    ("Phường Bến Nghé", "Quận 1", "TP. Hồ Chí Minh"),
    ("Phường 12", "Gò Vấp", "TP. Hồ Chí Minh"),
    ("Phường Dịch Vọng", "Cầu Giấy", "Hà Nội"),
    ("Phường Kim Liên", "Đống Đa", "Hà Nội"),
    ("Phường Hải Châu 1", "Hải Châu", "Đà Nẵng"),
    ("Phường Vĩnh Hải", "Nha Trang", "Khánh Hòa"),
)

TITLES = (
    "Lật Mặt 7: Một Điều Ước",
    "Nhà Bà Nữ",
    "Mai",
    "Running Man Vietnam",
    "Anh Trai Say Hi",
    "2 Ngày 1 Đêm",
    "Gia Đình Là Số 1",
    "Thương Ngày Nắng Về",
    "Cuộc Đua Kỳ Thú",
    "Ngoại hạng Anh: Man City - Arsenal",
    "V.League: Bình Định - Hà Nội FC",
    "Thời sự VTV1 19h",
)
DEVICES = (
    "Smart TV Samsung 55 inch",
    "Smart TV LG 43 inch",
    "Android TV Box",
    "iPhone 13",
    "Samsung Galaxy A54",
    "Xiaomi Redmi Note 12",
    "Laptop Windows (Chrome)",
    "iPad Air",
    "Đầu thu HD của nhà mạng",
)
PACKAGES = (
    ("Gói VIP 1 tháng", 66_000),
    ("Gói VIP 3 tháng", 179_000),
    ("Gói VIP 12 tháng", 599_000),
    ("Gói Thể thao 1 tháng", 99_000),
    ("Truyền hình cáp cơ bản", 110_000),
    ("Combo Internet + Truyền hình 150 Mbps", 285_000),
    ("Gói cước di động 4G D120", 120_000),
)
PAY_METHODS = (
    "Ví MoMo",
    "ZaloPay",
    "VNPay",
    "Thẻ ATM nội địa",
    "Thẻ Visa",
    "Chuyển khoản ngân hàng",
    "Tiền mặt tại quầy",
    "Trừ tiền tài khoản di động",
)


@dataclass(frozen=True)
class Scenario:
    """One typical complaint: where it files, what the customer says, which block it carries."""

    category: str  # leaf category code
    subject: str
    description: str
    block: str = ""  # "account" | "content" | "payment" | ""
    kind: str = "complaint"
    cause: str = ""  # what verification usually finds
    fix: str = ""  # what the company does about it


SCENARIOS: tuple[Scenario, ...] = (
    Scenario(
        "account-locked",
        "Tài khoản bị khóa, không đăng nhập được",
        "Tôi đăng nhập trên ứng dụng thì báo tài khoản đã bị khóa, trong khi tôi vẫn đang dùng gói VIP.",
        "account",
        cause="Hệ thống khóa tạm do đăng nhập sai mật khẩu nhiều lần.",
        fix="Mở khóa tài khoản, hướng dẫn khách đặt lại mật khẩu.",
    ),
    Scenario(
        "account-locked",
        "Không nhận được mã OTP để đăng nhập",
        "Bấm gửi lại mã OTP nhiều lần nhưng điện thoại không nhận được tin nhắn.",
        "account",
        cause="Số điện thoại đăng ký bị chặn tin nhắn thương hiệu.",
        fix="Gửi OTP qua email, hướng dẫn khách bỏ chặn tin nhắn.",
    ),
    Scenario(
        "account-change",
        "Đề nghị đổi số điện thoại đăng ký tài khoản",
        "Tôi đã đổi số điện thoại, nhờ chuyển tài khoản sang số mới.",
        "account",
        kind="request",
        cause="Khách đã xác minh được chủ tài khoản.",
        fix="Cập nhật số điện thoại mới cho tài khoản.",
    ),
    Scenario(
        "account-change",
        "Tài khoản bị đăng nhập trên thiết bị lạ",
        "Nhận thông báo tài khoản đăng nhập trên TV ở Hà Nội, tôi không hề dùng thiết bị đó.",
        "account",
        cause="Mật khẩu của khách bị lộ, có phiên đăng nhập lạ.",
        fix="Đăng xuất mọi thiết bị, đổi mật khẩu, bật xác thực hai lớp.",
    ),
    Scenario(
        "content-playback",
        "Xem phim bị giật, chập chờn liên tục",
        "Tối nào xem phim cũng bị đứng hình, quay vòng tải, mạng nhà tôi vẫn bình thường.",
        "content",
        cause="Máy chủ phân phối nội dung khu vực miền Trung quá tải giờ cao điểm.",
        fix="Điều chuyển tải sang máy chủ khác, tặng khách 3 ngày VIP.",
    ),
    Scenario(
        "content-playback",
        "Mất tiếng khi xem trên Smart TV",
        "Phim có hình nhưng không có tiếng, xem trên điện thoại thì bình thường.",
        "content",
        cause="Lỗi tương thích âm thanh của phiên bản ứng dụng TV cũ.",
        fix="Hướng dẫn cập nhật ứng dụng lên phiên bản mới nhất.",
    ),
    Scenario(
        "content-subtitle",
        "Phim thiếu phụ đề tiếng Việt",
        "Từ tập 5 trở đi phim không còn phụ đề tiếng Việt.",
        "content",
        cause="Tệp phụ đề các tập mới chưa được đối tác bàn giao.",
        fix="Bổ sung phụ đề, báo khách khi đã cập nhật.",
    ),
    Scenario(
        "content-subtitle",
        "Phụ đề lệch thời gian với lời thoại",
        "Phụ đề chạy chậm hơn lời thoại khoảng 3 giây.",
        "content",
        kind="feedback",
        cause="Tệp phụ đề bị lệch mốc thời gian.",
        fix="Căn chỉnh lại phụ đề.",
    ),
    Scenario(
        "content-missing",
        "Không tìm thấy chương trình đã xem trước đây",
        "Chương trình tôi đang xem dở đã biến mất khỏi ứng dụng.",
        "content",
        kind="request",
        cause="Hết thời hạn bản quyền phát sóng.",
        fix="Giải thích cho khách, gợi ý nội dung tương tự.",
    ),
    Scenario(
        "payment-wrong-charge",
        "Bị trừ tiền hai lần khi mua gói",
        "Tôi thanh toán một lần nhưng ví bị trừ tiền hai lần.",
        "payment",
        cause="Giao dịch bị ghi nhận trùng do cổng thanh toán phản hồi chậm.",
        fix="Hoàn lại số tiền trừ thừa trong 5 ngày làm việc.",
    ),
    Scenario(
        "payment-wrong-charge",
        "Đã thanh toán nhưng gói chưa được kích hoạt",
        "Thanh toán thành công, đã có tin nhắn trừ tiền nhưng tài khoản vẫn là gói miễn phí.",
        "payment",
        cause="Giao dịch chưa được đối soát với cổng thanh toán.",
        fix="Kích hoạt gói thủ công, cộng thêm thời gian sử dụng.",
    ),
    Scenario(
        "payment-renewal",
        "Tự động gia hạn gói khi đã hủy",
        "Tôi đã hủy gia hạn tự động nhưng tháng này vẫn bị trừ tiền.",
        "payment",
        cause="Yêu cầu hủy gia hạn chưa đồng bộ sang cổng thanh toán.",
        fix="Hoàn tiền kỳ gia hạn, tắt gia hạn tự động.",
    ),
    Scenario(
        "payment-refund",
        "Yêu cầu hoàn tiền gói cước",
        "Tôi mua nhầm gói, chưa sử dụng, đề nghị hoàn tiền.",
        "payment",
        kind="request",
        cause="Gói chưa được sử dụng, đủ điều kiện hoàn tiền.",
        fix="Hoàn tiền về phương thức đã thanh toán.",
    ),
    Scenario(
        "technical-signal",
        "Mất tín hiệu truyền hình cáp",
        "Từ sáng nay tivi báo mất tín hiệu tất cả các kênh.",
        cause="Đứt cáp quang nhánh khu vực do thi công đường.",
        fix="Kỹ thuật viên nối lại cáp, tín hiệu đã ổn định.",
    ),
    Scenario(
        "technical-signal",
        "Nhiều kênh bị nhiễu, sọc hình",
        "Các kênh VTV và HTV bị nhiễu hạt, sọc ngang.",
        cause="Bộ khuếch đại tín hiệu trong hộp cáp bị hỏng.",
        fix="Thay bộ khuếch đại, kiểm tra lại chất lượng tín hiệu.",
    ),
    Scenario(
        "technical-internet",
        "Internet chập chờn vào buổi tối",
        "Mạng rớt liên tục từ 19h đến 22h, gọi video không được.",
        cause="Cổng quang khu vực quá tải.",
        fix="Nâng cấp cổng, chuyển khách sang cổng mới.",
    ),
    Scenario(
        "technical-device",
        "Đầu thu không khởi động được",
        "Đầu thu chỉ sáng đèn đỏ, không lên hình.",
        kind="request",
        cause="Hỏng nguồn đầu thu.",
        fix="Đổi đầu thu mới tại nhà khách hàng.",
    ),
    Scenario(
        "other-staff",
        "Nhân viên lắp đặt hẹn nhưng không đến",
        "Tôi đợi cả buổi sáng, nhân viên kỹ thuật không đến và không báo trước.",
        cause="Lịch hẹn bị xếp trùng, điều phối không báo khách.",
        fix="Xin lỗi khách, hẹn lại giờ cụ thể, nhắc nhở bộ phận điều phối.",
    ),
    Scenario(
        "other-suggestion",
        "Góp ý bổ sung thêm phim thuyết minh",
        "Nhà có người lớn tuổi, mong có thêm phim thuyết minh tiếng Việt.",
        kind="feedback",
        cause="Góp ý hợp lý, đã chuyển bộ phận nội dung.",
        fix="Ghi nhận góp ý, cảm ơn khách.",
    ),
)

# Channel → weight (a cable operator's counter and letters are rarer than the hotline).
CHANNEL_WEIGHTS = {
    "hotline": 34,
    "chat": 20,
    "facebook": 12,
    "zalo": 10,
    "email": 10,
    "counter": 6,
    "web": 5,
    "letter": 3,
}

# What people write in the other lifecycle inputs.
NOTES = (
    "Đã gọi lại cho khách, khách đồng ý chờ.",
    "Khách cung cấp thêm ảnh chụp màn hình lỗi.",
    "Đã gửi tin nhắn xác nhận qua Zalo.",
    "Khách yêu cầu liên hệ ngoài giờ hành chính.",
)
SCOPES = (
    "Chỉ riêng tài khoản của khách.",
    "Một số khách hàng cùng khu vực.",
    "Toàn bộ khách hàng dùng ứng dụng trên Smart TV.",
    "Một giao dịch thanh toán.",
)
COMMENTS_SATISFIED = ("Cảm ơn, đã dùng lại bình thường.", "Xử lý nhanh, tôi hài lòng.", "")
COMMENTS_UNSATISFIED = (
    "Vẫn còn lỗi, đề nghị xử lý dứt điểm.",
    "Tôi chưa nhận được tiền hoàn.",
    "Thời gian xử lý quá lâu.",
)
WITHDRAW_REASONS = (
    "Khách tự khắc phục được.",
    "Khách gửi trùng yêu cầu.",
    "Khách không còn nhu cầu.",
)
