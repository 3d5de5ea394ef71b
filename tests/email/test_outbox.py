"""With no SMTP server set, each message is written as an .eml file to the outbox folder."""

import logging
import os
import threading

from app.email.service import send_email
from tests.smtp import email_settings

TOKEN = "invitation-token-9f8e7d6c5b4a"
RECIPIENT = "new.colleague@riverside.example.org"


def send(name="Ann", reference=None):
    return send_email(
        to=RECIPIENT,
        template="test_message",
        context={
            "name": name,
            "organisation": "Riverside",
            "link": f"https://asye360.example.org/invitation/{TOKEN}",
        },
        reference=reference,
    )


def test_the_outbox_folder_is_created_on_demand_and_holds_a_readable_message(outbox):
    assert not outbox.folder.exists()

    delivery = send(name="Siân")

    assert delivery.delivered and delivery.attempts == 0
    assert outbox.files() == [delivery.outbox_path]
    [message] = outbox.messages()
    assert message["To"] == RECIPIENT
    assert message["Subject"] == "Test message for Riverside"
    assert [p.get_content_type() for p in message.iter_parts()] == ["text/plain", "text/html"]
    assert "Dear Siân," in message.get_body(("plain",)).get_content()
    assert TOKEN in message.get_body(("html",)).get_content()


def test_outbox_files_sort_in_sending_order_and_name_the_template_and_reference(outbox):
    deliveries = [send(name=f"Person {n}") for n in range(5)]
    assert outbox.files() == [d.outbox_path for d in deliveries]
    names = [f"Dear Person {n}," for n in range(5)]
    bodies = [m.get_body(("plain",)).get_content() for m in outbox.messages()]
    assert [name for name, body in zip(names, bodies, strict=True) if name in body] == names
    for delivery in deliveries:
        assert delivery.outbox_path.name.endswith(f"-test_message-{delivery.reference}.eml")


def test_a_reference_used_twice_still_gives_two_files(outbox):
    first, second = send(reference="reminder-round-7"), send(reference="reminder-round-7")
    assert first.outbox_path != second.outbox_path
    assert len(outbox.messages()) == 2


def test_messages_written_at_once_from_many_threads_are_all_kept_whole(outbox):
    results = []
    threads = [
        threading.Thread(target=lambda n=n: results.append(send(name=f"Thread {n}")))
        for n in range(20)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(d.delivered for d in results)
    bodies = sorted(m.get_body(("plain",)).get_content() for m in outbox.messages())
    footer = "ASYE 360, the annual 360-degree evaluation of ASYE programmes"
    assert len(bodies) == 20 and all(body.rstrip().endswith(footer) for body in bodies)
    # Nothing but the finished messages: no temporary files left behind.
    assert sorted(os.listdir(outbox.folder)) == sorted(p.name for p in outbox.files())


def test_the_log_names_the_folder_but_not_the_recipient_or_the_link(outbox, caplog):
    caplog.set_level(logging.DEBUG)
    delivery = send()
    [line] = [r.getMessage() for r in caplog.records if r.name == "asye360.email"]
    assert str(outbox.folder) in line and delivery.reference in line
    assert RECIPIENT not in line and TOKEN not in line


def test_an_outbox_path_that_is_a_file_gives_not_delivered_without_raising(tmp_path, caplog):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    with email_settings(SMTP_HOST="", OUTBOX_DIR=str(blocker / "outbox")):
        delivery = send()
    assert not delivery.delivered
    assert "not delivered: NotADirectoryError" in caplog.text
