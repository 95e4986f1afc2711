"""The page a resident sees instead of a site that is not allowed on the terminal.

It names the blocked site by its host only (never the full address, which may
carry personal data in its query), offers a Back button, and says where to find
a person who can help. It loads nothing from anywhere: styles are inline and the
only script is the Back button's.

A card payment's security check (3-D Secure) is on the resident's bank's own site,
which no allowlist can name: when the guard recognises one, the page says that the
payment step needs the desk, and does not name the bank's host.
"""

from __future__ import annotations

from html import escape

from kiosk.i18n import gettext_for, is_rtl

_STYLE = """
body { font-family: sans-serif; margin: 0; background: #f4f6f9; color: #1b1b1b; }
main { max-width: 40em; margin: 8vh auto; padding: 2em; background: #fff;
       border: 2px solid #d0d5dd; border-radius: 12px; }
h1 { font-size: 1.8em; margin-top: 0; }
p { font-size: 1.3em; line-height: 1.5; }
.host { font-weight: bold; overflow-wrap: anywhere; }
button { font-size: 1.4em; padding: 0.6em 1.6em; border-radius: 8px; border: 2px solid #000091;
         background: #000091; color: #fff; cursor: pointer; }
button:focus { outline: 4px solid #ffbf47; outline-offset: 2px; }
.help { margin-top: 2em; color: #3a3a3a; }
"""


def blocked_page_html(host: str, help_lines: tuple[str, ...], language: str,
                      card_check: bool = False) -> str:
    """The whole HTML document for a blocked `host`, in `language`; `help_lines` are
    where to find a person (desk, phone, hours). `card_check`: the blocked page is a
    bank's card payment check, explained as such and without its host."""
    direction = "rtl" if is_rtl(language) else "ltr"
    # Translators: followed by the name of the site, e.g. "Site: www.example.com".
    site_label = gettext_for(language, "Site:")
    if card_check:
        # Translators: title of the page shown instead of a bank's card payment check.
        title = gettext_for(language, "This payment step needs the desk")
        # Translators: the blocked page is the resident's bank's check of a card payment.
        why = gettext_for(language, "Your bank wants to confirm a card payment. This "
                                    "cannot be done on this terminal. Please ask at the "
                                    "desk how to pay: there is often another way.")
        host = ""  # the resident's bank is nobody else's business
    else:
        # Translators: title of the page shown instead of a site outside the allowed list.
        title = gettext_for(language, "This site is not available on this terminal")
        # Translators: explains why a site is blocked on the public terminal.
        why = gettext_for(language, "This terminal only opens the websites of the public "
                                    "services chosen by the town hall.")
    # Translators: button that returns to the previous page.
    back = gettext_for(language, "Back")
    # Translators: followed by where to find a person who can help (desk, phone).
    help_label = gettext_for(language, "A person can help you:")
    # Desk, phone and hours each on a line of their own: a phone number is never cut.
    help_html = "<br>".join(escape(line) for line in help_lines)
    help_part = f'<p class="help">{escape(help_label)}<br>{help_html}</p>' if help_lines else ""
    host_part = f'<p>{escape(site_label)} <span class="host">{escape(host)}</span></p>' if host \
        else ""
    return (
        f'<!DOCTYPE html><html lang="{escape(language)}" dir="{direction}"><head>'
        '<meta charset="utf-8"><meta name="viewport" content="width=device-width">'
        # An icon of its own, inline: the browser then asks the refused host for none.
        '<link rel="icon" href="data:,">'
        f"<title>{escape(title)}</title><style>{_STYLE}</style></head><body><main>"
        f"<h1>{escape(title)}</h1>{host_part}<p>{escape(why)}</p>"
        f'<p><button id="kiosk-back" type="button" onclick="history.back()" autofocus>'
        f"{escape(back)}</button></p>{help_part}</main></body></html>"
    )
