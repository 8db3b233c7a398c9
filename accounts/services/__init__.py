"""Every write of the sign-in flow: issuing codes, checking them, the audit log, staff accounts."""

from accounts.services.codes import (
    EARLIER_CODES_RECOGNISED,
    EXPIRED_CODES_RECOGNISED_FOR,
    STAFF_TOTP_DEVICE_NAME,
    EarlierCode,
    PendingLogin,
    SendResult,
    login_code_is_live,
    sign_in_codes,
    sign_in_event_create,
)
from accounts.services.sign_in import (
    GATE_OUTCOMES,
    CodeIssue,
    IssueOutcome,
    VerifyOutcome,
    VerifyResult,
    customer_exists,
    login_code_issue,
    login_code_request,
    login_code_verify,
    login_codes_void_expired,
    send_cooldown_record,
    sign_out_record,
)
from accounts.services.staff import staff_create

__all__ = [
    "CodeIssue",
    "EARLIER_CODES_RECOGNISED",
    "EXPIRED_CODES_RECOGNISED_FOR",
    "EarlierCode",
    "GATE_OUTCOMES",
    "IssueOutcome",
    "PendingLogin",
    "STAFF_TOTP_DEVICE_NAME",
    "SendResult",
    "VerifyOutcome",
    "VerifyResult",
    "customer_exists",
    "login_code_is_live",
    "login_code_issue",
    "login_code_request",
    "login_code_verify",
    "login_codes_void_expired",
    "send_cooldown_record",
    "sign_in_codes",
    "sign_in_event_create",
    "sign_out_record",
    "staff_create",
]
