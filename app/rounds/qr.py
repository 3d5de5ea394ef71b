"""QR codes of survey links, as inline SVG that the round page can show and print."""

import segno
from markupsafe import Markup


def qr_svg(url: str, *, label: str) -> Markup:
    """An SVG QR code of `url`, announced as an image called `label`.

    Drawn dark on a white quiet zone so it scans on any background. segno escapes the title.
    The page shows the URL itself beside it as the text alternative.
    """
    svg = segno.make(url, error="m").svg_inline(
        scale=4, dark="#0b0c0c", light="#ffffff", title=label, omitsize=False,
        svgclass="app-qr", lineclass=None,
    )
    return Markup(svg.replace("<svg ", '<svg role="img" focusable="false" ', 1))
