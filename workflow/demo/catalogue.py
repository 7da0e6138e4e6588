"""What the demo's documents are about: Decree 30 types and realistic Vietnamese titles (trích yếu).

Placeholders: {year}, {next_year}, {quarter}, {month}, {half} ('6 tháng đầu năm' / 'năm') with
{report_year} (the year the report covers), {place} ('xã Đông Hiệp'), {place_name} ('Đông Hiệp').
`dept` is the district department that drafts (or handles) it.
"""
from dataclasses import dataclass


@dataclass(frozen=True)
class Template:
    doc_type: str
    title: str
    dept: str = 'VP'
    summary: str = ''
    reply: 'Template | None' = None  # the report a commune sends back, when the document asks for one
    annex: bool = False  # comes with a separate attachment (phụ lục)
    for_information: bool = False  # read and noted by the leader, no handler assigned


def _reply(title, doc_type='BC'):
    return Template(doc_type, title)


# UBND huyện → UBND các xã, thị trấn
DISTRICT_OUTGOING = (
    Template('KH', 'Kế hoạch chuyển đổi số huyện Cờ Đỏ năm {year}', 'VHTT', annex=True,
             summary='Mục tiêu, nhiệm vụ chuyển đổi số năm {year}; chỉ tiêu hồ sơ công việc xử lý trên môi '
                     'trường mạng: cấp huyện 80%, cấp xã 60% đến năm 2025.'),
    Template('QĐ', 'Quyết định kiện toàn Ban Chỉ đạo chuyển đổi số huyện Cờ Đỏ', 'VHTT'),
    Template('QĐ', 'Quyết định giao chỉ tiêu hồ sơ công việc xử lý trên môi trường mạng năm {year}', 'VP',
             annex=True),
    Template('CV', 'V/v báo cáo kết quả chuyển đổi số {half} {report_year}', 'VHTT',
             reply=_reply('Báo cáo kết quả chuyển đổi số {half} {report_year} của UBND {place}')),
    Template('CV', 'V/v báo cáo tỷ lệ hồ sơ thủ tục hành chính giải quyết trực tuyến mức độ 3, 4 quý {quarter}/{year}',
             'VP', reply=_reply('Báo cáo tỷ lệ hồ sơ thủ tục hành chính giải quyết trực tuyến quý {quarter}/{year}')),
    Template('CV', 'V/v hướng dẫn kích hoạt tài khoản định danh điện tử mức độ 2 cho người dân', 'VHTT',
             reply=_reply('Báo cáo kết quả kích hoạt tài khoản định danh điện tử mức độ 2 trên địa bàn {place}')),
    Template('GM', 'Giấy mời họp sơ kết công tác chuyển đổi số {half} {report_year}', 'VP', for_information=True),
    Template('GM', 'Giấy mời dự hội nghị trực tuyến triển khai Đề án 06 trên địa bàn huyện', 'VP',
             for_information=True),
    Template('GM', 'Giấy mời dự lớp tập huấn sử dụng chữ ký số và hệ thống quản lý văn bản', 'NV',
             for_information=True),
    Template('TB', 'Thông báo triển khai thu phí, lệ phí thủ tục hành chính bằng hình thức trực tuyến', 'TCKH'),
    Template('TB', 'Thông báo lịch tiếp công dân định kỳ của Chủ tịch UBND huyện tháng {month}/{year}', 'TTr',
             for_information=True),
    Template('TB', 'Thông báo kết luận của Chủ tịch UBND huyện tại cuộc họp Ban Chỉ đạo chuyển đổi số', 'VP'),
    Template('HD', 'Hướng dẫn thành lập và hoạt động của Tổ công nghệ số cộng đồng', 'VHTT',
             reply=_reply('Báo cáo kết quả thành lập Tổ công nghệ số cộng đồng {place}')),
    Template('KH', 'Kế hoạch tổ chức lớp tập huấn kỹ năng số cho cán bộ làm công tác chuyển đổi số năm {year}',
             'NV'),
    Template('CT', 'Chỉ thị về đẩy mạnh sử dụng chữ ký số trong hoạt động của cơ quan nhà nước', 'VP'),
    Template('CV', 'V/v triển khai thanh toán trực tuyến phí, lệ phí thủ tục hành chính qua ứng dụng trên điện '
                   'thoại thông minh', 'TCKH'),
    Template('CV', 'V/v bố trí đoàn viên, thanh niên trực tại Bộ phận Một cửa hướng dẫn người dân nộp hồ sơ trực '
                   'tuyến', 'NV'),
    Template('CV', 'V/v tuyên truyền, hướng dẫn người dân cài đặt ứng dụng Can Tho Smart', 'VHTT'),
    Template('KH', 'Kế hoạch phòng, chống thiên tai và tìm kiếm cứu nạn năm {year}', 'NNPTNT', annex=True),
    Template('CV', 'V/v rà soát, cập nhật dữ liệu đất đai vào cơ sở dữ liệu quốc gia', 'TNMT',
             reply=_reply('Báo cáo kết quả rà soát dữ liệu đất đai trên địa bàn {place}')),
    Template('CV', 'V/v tăng cường công tác phòng, chống dịch bệnh sốt xuất huyết', 'YT'),
    Template('KH', 'Kế hoạch tuyển sinh vào lớp 1 và lớp 6 năm học {year}-{next_year}', 'GDĐT'),
    Template('CV', 'V/v chi trả trợ cấp ưu đãi người có công qua tài khoản ngân hàng', 'LĐTBXH'),
    Template('QĐ', 'Quyết định công bố danh mục thủ tục hành chính tiếp nhận trực tuyến toàn trình', 'TP',
             annex=True),
    Template('CTr', 'Chương trình công tác trọng tâm quý {quarter}/{year} của UBND huyện', 'VP'),
    Template('QC', 'Quy chế quản lý, sử dụng hệ thống quản lý văn bản và điều hành', 'VP'),
    Template('CV', 'V/v kiểm tra tiến độ xây dựng đường giao thông nông thôn năm {year}', 'KTHT'),
)

# Inside the district: a department's proposal or report decided by the UBND leadership.
DISTRICT_INTERNAL = (
    Template('TTr', 'Tờ trình đề nghị phê duyệt dự toán kinh phí thực hiện chuyển đổi số năm {year}', 'TCKH'),
    Template('TTr', 'Tờ trình đề nghị cấp chứng thư số cho lãnh đạo các phòng, ban chuyên môn', 'VP'),
    Template('BC', 'Báo cáo kết quả chuyển đổi số {half} {report_year} của huyện Cờ Đỏ', 'VHTT'),
    Template('BB', 'Biên bản kiểm tra công tác văn thư, lưu trữ tại UBND các xã, thị trấn năm {year}', 'NV'),
    Template('PA', 'Phương án nâng cấp đường truyền và thiết bị hội nghị truyền hình trực tuyến', 'VHTT'),
    Template('TTr', 'Tờ trình đề nghị khen thưởng tập thể có thành tích trong công tác chuyển đổi số', 'NV'),
    Template('BC', 'Báo cáo tình hình giải quyết hồ sơ thủ tục hành chính tháng {month}/{year}', 'VP'),
    Template('ĐA', 'Đề án xây dựng chính quyền số huyện Cờ Đỏ giai đoạn 2023-2025', 'VHTT'),
)

# UBND xã → UBND huyện
COMMUNE_OUTGOING = (
    Template('BC', 'Báo cáo kết quả chuyển đổi số {half} {report_year} của UBND {place}', 'VHTT'),
    Template('BC', 'Báo cáo kết quả thực hiện mô hình thanh toán trực tuyến phí thủ tục hành chính', 'TCKH'),
    Template('CV', 'V/v đề nghị hỗ trợ thiết bị cho Bộ phận Một cửa {place}', 'VP'),
    Template('TTr', 'Tờ trình đề nghị công nhận Tổ công nghệ số cộng đồng {place}', 'VHTT'),
    Template('KH', 'Kế hoạch chuyển đổi số {place} năm {year}', 'VHTT'),
    Template('QĐ', 'Quyết định thành lập Ban Chỉ đạo chuyển đổi số {place}', 'VHTT'),
    Template('BC', 'Báo cáo tình hình thu phí, lệ phí trực tuyến tháng {month}/{year}', 'TCKH'),
    Template('CV', 'V/v đề nghị hướng dẫn cập nhật biến động đất đai trên địa bàn {place}', 'TNMT'),
    Template('BC', 'Báo cáo công tác phòng, chống thiên tai quý {quarter}/{year}', 'NNPTNT'),
)

# Inside a commune
COMMUNE_INTERNAL = (
    Template('KH', 'Kế hoạch tuyên truyền, hướng dẫn người dân cài đặt ứng dụng VNeID và Can Tho Smart'),
    Template('BB', 'Biên bản họp Ban Chỉ đạo chuyển đổi số {place} quý {quarter}/{year}'),
    Template('TB', 'Thông báo phân công đoàn viên trực Bộ phận Một cửa tháng {month}/{year}'),
    Template('TTr', 'Tờ trình đề nghị mua sắm máy quét tài liệu cho Bộ phận Một cửa'),
)

# Arrived on paper from outside the system: (sender, number, template)
PAPER_TO_DISTRICT = (
    ('UBND thành phố Cần Thơ', '{n}/QĐ-UBND',
     Template('QĐ', 'Quyết định ban hành Kế hoạch chuyển đổi số thành phố Cần Thơ năm {year}', 'VHTT')),
    ('Sở Thông tin và Truyền thông thành phố Cần Thơ', '{n}/STTTT-CĐS',
     Template('CV', 'V/v hướng dẫn sử dụng chữ ký số chuyên dùng Chính phủ', 'VP')),
    ('Sở Thông tin và Truyền thông thành phố Cần Thơ', '{n}/TB-STTTT',
     Template('TB', 'Thông báo kết quả đánh giá mức độ chuyển đổi số cấp huyện năm {year}', 'VHTT')),
    ('Công an huyện Cờ Đỏ', '{n}/CAH-QLHC',
     Template('CV', 'V/v phối hợp triển khai Đề án 06 về định danh và xác thực điện tử', 'VP')),
    ('Bảo hiểm xã hội huyện Cờ Đỏ', '{n}/BHXH',
     Template('CV', 'V/v rà soát đối tượng tham gia bảo hiểm y tế hộ gia đình năm {year}', 'LĐTBXH')),
    ('Huyện đoàn Cờ Đỏ', '{n}/KH-HĐ',
     Template('KH', 'Kế hoạch ra quân hỗ trợ người dân nộp hồ sơ trực tuyến trong Tháng Thanh niên năm {year}',
              'NV')),
)

PAPER_TO_COMMUNE = (
    ('Công an {place}', '{n}/CAX',
     Template('KH', 'Kế hoạch phối hợp vận động người dân kích hoạt định danh điện tử mức độ 2')),
    ('Hội Liên hiệp Phụ nữ {place}', '{n}/CV-HPN',
     Template('CV', 'V/v đề nghị hỗ trợ hộ nghèo sửa chữa nhà ở năm {year}')),
    ('Đoàn Thanh niên {place}', '{n}/KH-ĐTN',
     Template('KH', 'Kế hoạch bố trí đoàn viên trực hướng dẫn nộp hồ sơ trực tuyến tại Bộ phận Một cửa')),
    ('Trường Tiểu học {place_name}', '{n}/TTr-THCĐ',
     Template('TTr', 'Tờ trình đề nghị hỗ trợ kinh phí sửa chữa phòng học năm học {year}-{next_year}')),
)

RETURN_NOTES = (
    'Đề nghị rà soát lại căn cứ pháp lý, cập nhật văn bản mới nhất của UBND thành phố.',
    'Bổ sung số liệu cụ thể theo từng xã, thị trấn; chỉnh sửa thể thức theo Nghị định 30/2020/NĐ-CP.',
    'Trích yếu chưa rõ, đề nghị viết lại; bổ sung nơi nhận là Văn phòng HĐND và UBND huyện.',
    'Chỉ tiêu chưa phù hợp với Kế hoạch chuyển đổi số của huyện, đề nghị điều chỉnh.',
    'Đề nghị lấy ý kiến Phòng Tài chính - Kế hoạch về kinh phí trước khi trình ký.',
)

REFUSE_NOTES = (
    'Văn bản gửi nhầm đơn vị nhận, đề nghị kiểm tra lại nơi nhận.',
    'Văn bản thiếu phụ lục kèm theo, đề nghị gửi bổ sung.',
    'Tệp đính kèm không đúng với trích yếu văn bản, đề nghị gửi lại.',
)

COMPLETE_NOTES = (
    'Đã triển khai thực hiện theo nội dung văn bản.',
    'Đã tổ chức thực hiện, kết quả báo cáo kèm theo.',
    'Đã phổ biến đến cán bộ, công chức và các ấp trên địa bàn.',
    'Đã tham mưu lãnh đạo chỉ đạo thực hiện; lưu hồ sơ.',
)

NOTED_NOTES = (
    'Đã nắm nội dung; phân công lãnh đạo dự họp.',
    'Đã xem; giao Văn phòng theo dõi, đôn đốc.',
    'Lưu hồ sơ, triển khai đến các bộ phận liên quan.',
)

APPROVAL_NOTES = (
    'Đồng ý với đề xuất; giao phòng chủ trì tổ chức thực hiện.',
    'Thống nhất nội dung trình; triển khai theo quy định.',
    'Đồng ý chủ trương; lưu hồ sơ theo dõi.',
)
