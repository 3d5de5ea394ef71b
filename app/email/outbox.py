"""The outbox: with no SMTP server set, each message is written as an .eml file to a folder."""

import os
import re
import tempfile
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage
from pathlib import Path


def write_to_outbox(message: EmailMessage, *, folder: Path, template: str, reference: str) -> Path:
    """Write the message whole or not at all, under a new name; return the file's path.

    Names start with the UTC time to the microsecond, so `ls` lists the outbox in sending order,
    and go on with the template and the reference, so a reader can tell the messages apart.
    """
    folder.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    stem = f"{stamp}-{re.sub(r'[^A-Za-z0-9_-]', '_', template)}-{reference}"
    # CRLF line ends, byte for byte what an SMTP server would have been sent.
    data = message.as_bytes(policy=policy.SMTP)
    # A half-written message is never seen: write a hidden temporary file, then give it its
    # name with a hard link, which (unlike a rename) refuses to replace a file already there.
    descriptor, temporary = tempfile.mkstemp(dir=folder, prefix=".", suffix=".part")
    try:
        with os.fdopen(descriptor, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        for copy in range(100):
            target = folder / (f"{stem}.eml" if copy == 0 else f"{stem}-{copy}.eml")
            try:
                os.link(temporary, target)
            except FileExistsError:
                continue
            return target
        raise FileExistsError(f"no free name for {stem}.eml in the outbox")
    finally:
        os.unlink(temporary)
