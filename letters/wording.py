"""The default wording of each kind of letter and the fields its template may use.

The admin may replace a wording on the templates page (a LetterTemplate row); a template is a
sandboxed Jinja text that sees only the fields listed here, as display-ready Persian strings.
"""

from __future__ import annotations

from letters.models import LetterKind

# Fields every letter's template may use.
COMMON_FIELDS = {
    "number": "شماره نامه",
    "date": "تاریخ نامه",
    "recipient": "نام گیرنده",
    "directorate": "نام اداره کل",
    "signer": "امضاکننده",
}

FIELDS: dict[LetterKind, dict[str, str]] = {
    LetterKind.MISSING_DOCUMENTS: {
        "applicant": "متقاضی",
        "application_number": "شماره درخواست",
        "application_kind": "نوع درخواست",
        "office_name": "نام دفتر",
        "received_on": "تاریخ دریافت درخواست",
        "documents": "مدارک ناقص (با ویرگول)",
        "due_on": "مهلت رسیدگی به درخواست",
    },
    LetterKind.INQUIRY_REQUEST: {
        "organisation": "سازمان استعلام‌شونده",
        "applicant": "متقاضی",
        "national_id": "کد ملی متقاضی",
        "father_name": "نام پدر متقاضی",
        "application_number": "شماره درخواست",
        "application_kind": "نوع درخواست",
        "office_name": "نام دفتر",
        "answer_days": "مهلت پاسخ (روز کاری)",
        "answer_due": "آخرین روز پاسخ",
    },
    LetterKind.WG_DECISION: {
        "applicant": "متقاضی",
        "application_number": "شماره درخواست",
        "application_kind": "نوع درخواست",
        "office_name": "نام دفتر",
        "session_number": "شماره جلسه کارگروه",
        "session_date": "تاریخ جلسه",
        "decision": "تصمیم کارگروه",
        "reasons": "دلایل تصمیم",
    },
    LetterKind.PAYMENT_DUE: {
        "applicant": "متقاضی",
        "application_number": "شماره درخواست",
        "application_kind": "نوع درخواست",
        "office_name": "نام دفتر",
        "amount": "مبلغ حق امتیاز (ریال)",
        "payment_days": "مهلت پرداخت (روز کاری)",
        "payment_due": "آخرین روز پرداخت",
    },
    LetterKind.LICENCE_ISSUED: {
        "holder": "دارنده پروانه",
        "licence_number": "شماره پروانه",
        "office_name": "نام دفتر",
        "address": "نشانی دفتر",
        "issued_on": "تاریخ صدور",
        "expires_on": "تاریخ پایان اعتبار",
    },
    LetterKind.EXPIRY_REMINDER: {
        "holder": "دارنده پروانه",
        "licence_number": "شماره پروانه",
        "office_name": "نام دفتر",
        "expires_on": "تاریخ پایان اعتبار",
        "renewal_last_day": "آخرین روز درخواست تمدید",
        "min_days": "کمترین فاصله درخواست تمدید تا پایان اعتبار (روز)",
    },
    LetterKind.COMMITTEE_SUMMONS: {
        "holder": "متصدی دفتر",
        "office_name": "نام دفتر",
        "office_code": "کد دفتر",
        "case_number": "شماره پرونده",
        "summary": "شرح تخلف",
        "session_number": "شماره جلسه کمیته",
        "session_date": "تاریخ جلسه",
        "place": "محل جلسه",
    },
    LetterKind.RULING_NOTICE: {
        "holder": "متصدی دفتر",
        "office_name": "نام دفتر",
        "office_code": "کد دفتر",
        "case_number": "شماره پرونده",
        "ruling_number": "شماره رأی",
        "ruled_on": "تاریخ رأی",
        "penalty": "مجازات",
        "legal_basis": "مستند قانونی",
        "reasoning": "استدلال",
        "appeal_days": "مهلت اعتراض",
        "appeal_unit": "واحد مهلت (روز کاری یا روز)",
    },
    LetterKind.APPEAL_DECISION: {
        "holder": "متصدی دفتر",
        "office_name": "نام دفتر",
        "case_number": "شماره پرونده",
        "ruling_number": "شماره رأی مورد اعتراض",
        "filed_on": "تاریخ اعتراض",
        "decided_on": "تاریخ تصمیم",
        "outcome": "نتیجه",
        "reasoning": "دلایل تصمیم",
        "ruling_in_force": "رأی لازم‌الاجرا",
    },
    LetterKind.BANK_REPORT: {
        "bank": "بانک",
        "site_kind": "نوع دستگاه",
        "site_name": "نام محل",
        "site_code": "کد محل",
        "terminal_id": "شماره پایانه",
        "address": "نشانی",
        "visit_date": "تاریخ بازدید",
        "findings": "موارد نامطلوب",
        "notes": "توضیح بازرس",
    },
    LetterKind.HANDWRITTEN: {},
}

_SMS = (
    "{{ recipient }}، نامه شماره {{ number }} مورخ {{ date }} درباره «{{ subject }}» "
    "برای شما صادر شد. {{ directorate }}"
)

DEFAULTS: dict[LetterKind, tuple[str, str]] = {
    LetterKind.MISSING_DOCUMENTS: (
        "اعلام نقص مدارک درخواست {{ application_number }}",
        "{{ applicant }} گرامی\n"
        "با سلام، درخواست «{{ application_kind }}» شما به شماره {{ application_number }} "
        "(دفتر {{ office_name }}) که در تاریخ {{ received_on }} دریافت شد، بررسی شد. "
        "مدارک زیر هنوز به پرونده افزوده نشده است:\n{{ documents }}\n"
        "لطفاً مدارک را به دبیرخانه کارگروه تحویل دهید تا رسیدگی ادامه یابد.",
    ),
    LetterKind.INQUIRY_REQUEST: (
        "استعلام درباره {{ applicant }} (درخواست {{ application_number }})",
        "{{ organisation }}\n"
        "با سلام، در اجرای ضوابط صدور پروانه دفاتر پیشخوان خدمات دولت و دفاتر ICT روستایی، "
        "خواهشمند است نتیجه استعلام درباره {{ applicant }} فرزند {{ father_name }} به کد ملی "
        "{{ national_id }}، متقاضی «{{ application_kind }}» (دفتر {{ office_name }}، درخواست "
        "{{ application_number }}) را ظرف {{ answer_days }} روز کاری و حداکثر تا {{ answer_due }} "
        "به این اداره کل اعلام فرمایید.",
    ),
    LetterKind.WG_DECISION: (
        "اعلام تصمیم کارگروه درباره درخواست {{ application_number }}",
        "{{ applicant }} گرامی\n"
        "با سلام، کارگروه استانی در جلسه {{ session_number }} مورخ {{ session_date }} درباره "
        "درخواست «{{ application_kind }}» شما (دفتر {{ office_name }}) چنین تصمیم گرفت: "
        "{{ decision }}.\nدلایل: {{ reasons }}",
    ),
    LetterKind.PAYMENT_DUE: (
        "اعلام پرداخت حق امتیاز درخواست {{ application_number }}",
        "{{ applicant }} گرامی\n"
        "با سلام، درخواست «{{ application_kind }}» شما (دفتر {{ office_name }}) در کارگروه استانی "
        "تصویب شد. لطفاً حق امتیاز به مبلغ {{ amount }} ریال را ظرف {{ payment_days }} روز کاری "
        "و حداکثر تا {{ payment_due }} پرداخت و رسید آن را به دبیرخانه تحویل دهید.",
    ),
    LetterKind.LICENCE_ISSUED: (
        "اعلام صدور پروانه {{ licence_number }}",
        "{{ holder }} گرامی\n"
        "با سلام، پروانه شماره {{ licence_number }} برای دفتر {{ office_name }} به نشانی "
        "{{ address }} در تاریخ {{ issued_on }} صادر شد و تا {{ expires_on }} اعتبار دارد.",
    ),
    LetterKind.EXPIRY_REMINDER: (
        "یادآوری پایان اعتبار پروانه {{ licence_number }}",
        "{{ holder }} گرامی\n"
        "با سلام، اعتبار پروانه شماره {{ licence_number }} دفتر {{ office_name }} در تاریخ "
        "{{ expires_on }} به پایان می‌رسد. درخواست تمدید باید دست‌کم {{ min_days }} روز پیش از "
        "پایان اعتبار، یعنی حداکثر تا {{ renewal_last_day }}، ثبت شود؛ در غیر این صورت پروانه "
        "واگذارشده تلقی می‌شود.",
    ),
    LetterKind.COMMITTEE_SUMMONS: (
        "احضار به جلسه کمیته تخلفات (پرونده {{ case_number }})",
        "{{ holder }} گرامی، متصدی دفتر {{ office_name }} (کد {{ office_code }})\n"
        "با سلام، پرونده تخلف شماره {{ case_number }} با موضوع «{{ summary }}» در جلسه "
        "{{ session_number }} کمیته نظارت بر ایفای تعهدات مورخ {{ session_date }} در "
        "{{ place }} رسیدگی می‌شود. حضور شما یا نماینده قانونی‌تان برای ارائه دفاع در جلسه "
        "الزامی است.",
    ),
    LetterKind.RULING_NOTICE: (
        "ابلاغ رأی {{ ruling_number }} کمیته تخلفات",
        "{{ holder }} گرامی، متصدی دفتر {{ office_name }} (کد {{ office_code }})\n"
        "با سلام، رأی شماره {{ ruling_number }} مورخ {{ ruled_on }} کمیته در پرونده "
        "{{ case_number }} به شرح زیر ابلاغ می‌شود:\nمجازات: {{ penalty }}\n"
        "مستند: {{ legal_basis }}\nاستدلال: {{ reasoning }}\n"
        "حق اعتراض: شما می‌توانید ظرف {{ appeal_days }} {{ appeal_unit }} از تاریخ ابلاغ این "
        "نامه، اعتراض خود را کتباً به دبیرخانه کمیته تسلیم کنید؛ پس از آن رأی قطعی است.",
    ),
    LetterKind.APPEAL_DECISION: (
        "ابلاغ نتیجه رسیدگی به اعتراض (رأی {{ ruling_number }})",
        "{{ holder }} گرامی، متصدی دفتر {{ office_name }}\n"
        "با سلام، اعتراض مورخ {{ filed_on }} شما به رأی شماره {{ ruling_number }} (پرونده "
        "{{ case_number }}) در تاریخ {{ decided_on }} رسیدگی شد. نتیجه: {{ outcome }}.\n"
        "دلایل: {{ reasoning }}\nرأی لازم‌الاجرا: {{ ruling_in_force }}",
    ),
    LetterKind.BANK_REPORT: (
        "گزارش بازدید از {{ site_kind }} {{ site_name }}",
        "{{ bank }}\n"
        "با سلام، در بازدید مورخ {{ visit_date }} بازرسان این اداره کل از {{ site_kind }} "
        "«{{ site_name }}» (کد {{ site_code }}، پایانه {{ terminal_id }}) به نشانی {{ address }}، "
        "موارد زیر مشاهده شد:\n{{ findings }}\n{{ notes }}\n"
        "خواهشمند است دستور فرمایید نسبت به رفع موارد اقدام و نتیجه را به این اداره کل اعلام کنند.",
    ),
    LetterKind.HANDWRITTEN: ("", ""),
}


def allowed_fields(kind: LetterKind) -> dict[str, str]:
    """The fields a template of this kind may use, with their Persian labels."""
    return {**COMMON_FIELDS, "subject": "موضوع نامه", **FIELDS[kind]}


DEFAULT_SMS = _SMS
