"""The normal form of an email address (app.accounts.emails), against independent oracles."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.accounts.emails import EmailRefused, normalise_email

ascii_part = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789._-+", min_size=1,
                     max_size=20)
domain = st.sampled_from(["example.org", "riverside.gov.uk", "x.example"])
# Each of these passes for something else when written among Latin letters.
hidden = st.sampled_from(["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad", "\u202e",
                          "\u2066", "\x00", "\x1b"])
cyrillic_look_alikes = st.sampled_from(list("аеорсхуі"))


def full_width(text: str) -> str:
    # The oracle: full-width forms are the ASCII block shifted to U+FF01 (not for "."/"@").
    return "".join(chr(ord(c) + 0xFEE0) if c.isalnum() else c for c in text)


@given(local=ascii_part, domain=domain)
def test_plain_addresses_keep_their_letters_in_lower_case(local, domain):
    assert normalise_email(f"{local.upper()}@{domain.upper()}") == f"{local}@{domain}"


@given(local=ascii_part, domain=domain)
def test_full_width_writing_is_the_same_address(local, domain):
    assert normalise_email(full_width(local) + "@" + domain) == f"{local}@{domain}"


@given(local=ascii_part.filter(lambda s: any(c.isalpha() for c in s)), domain=domain,
       mark=hidden, at=st.integers(min_value=0, max_value=20))
def test_a_hidden_character_anywhere_in_the_local_part_is_refused(local, domain, mark, at):
    at = min(at, len(local))
    with pytest.raises(EmailRefused):
        normalise_email(local[:at] + mark + local[at:] + "@" + domain)


@given(local=ascii_part.filter(lambda s: any(c.isalpha() for c in s)), domain=domain,
       letter=cyrillic_look_alikes, at=st.integers(min_value=0, max_value=20))
def test_a_cyrillic_letter_among_latin_ones_is_refused(local, domain, letter, at):
    at = min(at, len(local))
    with pytest.raises(EmailRefused):
        normalise_email(local[:at] + letter + local[at:] + "@" + domain)


@given(text=st.text(max_size=40))
def test_the_normal_form_is_its_own_normal_form(text):
    try:
        normal = normalise_email(text)
    except EmailRefused:
        return
    assert normalise_email(normal) == normal


def test_an_address_wholly_in_another_script_is_allowed():
    assert normalise_email("Иван@example.org") == "иван@example.org"


@pytest.mark.parametrize("text", ["", "no-at-sign", "@example.org", "name@", "a@b@example.org"])
def test_what_is_not_an_address_is_refused(text):
    with pytest.raises(EmailRefused):
        normalise_email(text)
