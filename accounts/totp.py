"""Helpers around staff TOTP devices: provisioning output and the current code."""

import io

import segno
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice


def totp_current_code(device: TOTPDevice) -> str:
    """The code the device's authenticator app shows right now."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


def totp_terminal_qr(uri: str) -> str:
    """The provisioning URI as a QR code drawn with characters, for a terminal."""
    buffer = io.StringIO()
    segno.make(uri, error="m").terminal(out=buffer, compact=True)
    return buffer.getvalue()
