"""
A real IMAP server on loopback for the tests of replies by email: Dovecot from the system's
packages (``apt-get install dovecot-imapd``), started with a temporary configuration (IMAP
over TLS only, a self-signed certificate made with openssl, one user in a passwd file, Maildir
in a temporary folder) and stopped when the tests are done.

``TcpCutter`` sits between the portal and Dovecot and drops the connection once the server
has sent a given number of bytes: a mailbox that drops the connection mid-fetch.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import socket
import ssl
import subprocess
import tempfile
import threading
import time
from pathlib import Path

from imapclient import IMAPClient

USER = "warranty@example.com"
PASSWORD = "mailbox-password"


def dovecot_path() -> str | None:
    return shutil.which("dovecot") or (os.path.exists("/usr/sbin/dovecot") and "/usr/sbin/dovecot") or None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _users() -> tuple[int, int, str, str]:
    """(uid, gid of the mail files, internal user, login user): Dovecot never reads mail as root."""
    if os.geteuid() != 0:
        me = pwd.getpwuid(os.geteuid())
        return me.pw_uid, me.pw_gid, me.pw_name, me.pw_name
    nobody = pwd.getpwnam("nobody")
    internal = "dovecot" if _exists("dovecot") else "nobody"
    login = "dovenull" if _exists("dovenull") else "nobody"
    return nobody.pw_uid, nobody.pw_gid, internal, login


def _exists(user: str) -> bool:
    try:
        pwd.getpwnam(user)
    except KeyError:
        return False
    return True


class Dovecot:
    """One Dovecot serving IMAPS on 127.0.0.1, with one mailbox."""

    def __init__(self):
        self.folder = Path(tempfile.mkdtemp(prefix="rma-dovecot-"))
        self.port = _free_port()
        self.cert = self.folder / "cert.pem"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        folder = self.folder
        folder.chmod(0o755)
        subprocess.run(
            [
                "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                "-keyout", str(folder / "key.pem"), "-out", str(self.cert),
                "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
            ],
            check=True,
            capture_output=True,
        )  # fmt: skip
        uid, gid, internal, login = _users()
        home = folder / "home"
        home.mkdir()
        os.chown(home, uid, gid)
        (folder / "passwd").write_text(f"{USER}:{{PLAIN}}{PASSWORD}::::::\n")
        dh = "/usr/share/dovecot/dh.pem"
        (folder / "dovecot.conf").write_text(
            "\n".join(
                [
                    f"base_dir = {folder}/run",
                    f"state_dir = {folder}/state",
                    f"log_path = {folder}/dovecot.log",
                    f"info_log_path = {folder}/dovecot.log",
                    "protocols = imap",
                    "listen = 127.0.0.1",
                    "ssl = required",
                    f"ssl_cert = <{self.cert}",
                    f"ssl_key = <{folder / 'key.pem'}",
                    *([f"ssl_dh = <{dh}"] if os.path.exists(dh) else []),
                    "auth_mechanisms = plain",
                    f"default_internal_user = {internal}",
                    f"default_login_user = {login}",
                    f"first_valid_uid = {min(uid, 500)}",
                    "passdb {",
                    "  driver = passwd-file",
                    f"  args = scheme=PLAIN username_format=%u {folder}/passwd",
                    "}",
                    "userdb {",
                    "  driver = static",
                    f"  args = uid={uid} gid={gid} home={home}/%n",
                    "}",
                    "mail_location = maildir:~/Maildir",
                    "service imap-login {",
                    "  inet_listener imap {",
                    "    port = 0",
                    "  }",
                    "  inet_listener imaps {",
                    f"    port = {self.port}",
                    "    ssl = yes",
                    "  }",
                    "}",
                    "service stats {",
                    "  inet_listener http {",
                    "    port = 0",
                    "  }",
                    "}",
                    "",
                ]
            )
        )
        self.process = subprocess.Popen(
            [dovecot_path(), "-F", "-c", str(folder / "dovecot.conf")],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"Dovecot stopped: {self.process.stderr.read().decode()} {self.log()}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"Dovecot did not answer on port {self.port}: {self.log()}")

    def log(self) -> str:
        path = self.folder / "dovecot.log"
        return path.read_text() if path.exists() else ""

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        shutil.rmtree(self.folder, ignore_errors=True)

    def client(self, port: int | None = None) -> IMAPClient:
        context = ssl.create_default_context(cafile=str(self.cert))
        client = IMAPClient("127.0.0.1", port=port or self.port, ssl=True, ssl_context=context, timeout=10)
        client.login(USER, PASSWORD)
        return client

    def empty(self) -> None:
        """Every folder but the inbox removed, the inbox emptied."""
        with self.client() as client:
            for _flags, _delimiter, name in client.list_folders():
                if name != "INBOX":
                    client.delete_folder(name)
            client.select_folder("INBOX")
            uids = client.search("ALL")
            if uids:
                client.delete_messages(uids)
                client.expunge()

    def deliver(self, raw: bytes, folder: str = "INBOX") -> None:
        with self.client() as client:
            client.append(folder, raw)

    def message_ids(self, folder: str) -> list[str]:
        """The Message-IDs of the mails in ``folder`` (one entry per copy)."""
        with self.client() as client:
            if not client.folder_exists(folder):
                return []
            client.select_folder(folder, readonly=True)
            uids = client.search("ALL")
            if not uids:
                return []
            found = client.fetch(uids, ["BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)]"])
            return sorted(
                data[b"BODY[HEADER.FIELDS (MESSAGE-ID)]"].decode().split(":", 1)[1].strip()
                for data in found.values()
            )


class TcpCutter:
    """A loopback proxy to ``port`` that drops the connection once ``limit`` bytes went one way:
    from the server (an answer cut short) or, with ``from_client``, from the portal (a
    command that never arrives)."""

    def __init__(self, port: int, limit: int, *, from_client: bool = False):
        self.port = port
        self.limit = limit
        self.from_client = from_client
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.listen_port = self.listener.getsockname()[1]
        self.cut = False
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _pipe(self, source: socket.socket, target: socket.socket, limit: float) -> None:
        sent = 0
        try:
            while data := source.recv(4096):
                if sent + len(data) > limit:
                    target.sendall(data[: int(limit) - sent])
                    self.cut = True
                    break
                target.sendall(data)
                sent += len(data)
        except OSError:
            pass
        for end in (source, target):
            with contextlib.suppress(OSError):
                end.shutdown(socket.SHUT_RDWR)

    def _serve(self) -> None:
        try:
            client, _address = self.listener.accept()
        except OSError:
            return
        server = socket.create_connection(("127.0.0.1", self.port))
        upstream_limit = self.limit if self.from_client else float("inf")
        downstream_limit = float("inf") if self.from_client else self.limit
        upstream = threading.Thread(target=self._pipe, args=(client, server, upstream_limit), daemon=True)
        upstream.start()
        self._pipe(server, client, downstream_limit)
        upstream.join(timeout=5)
        client.close()
        server.close()

    def close(self) -> None:
        self.listener.close()
