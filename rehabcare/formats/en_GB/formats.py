"""How RehabCare writes dates and times: "30 Nov 2026" and "30 Nov 2026, 14:05".

Django's own en_GB formats win over settings.DATE_FORMAT and the like whenever a locale is active
(always, since USE_L10N cannot be turned off), so the product's formats live here, one module for
the site's language. ``{{ value|date }}`` and ``{{ value }}`` then print these; a template names a
format of its own only for a deliberate exception (an ISO value in an input, a time of day alone).
"""

DATE_FORMAT = "j M Y"  # 30 Nov 2026
DATETIME_FORMAT = "j M Y, H:i"  # 30 Nov 2026, 14:05
TIME_FORMAT = "H:i"  # 14:05
SHORT_DATE_FORMAT = "j M Y"  # no 30/11/2026: a month in words cannot be read the American way
SHORT_DATETIME_FORMAT = "j M Y, H:i"
MONTH_DAY_FORMAT = "j M"  # 30 Nov, as charts label their axes
YEAR_MONTH_FORMAT = "M Y"
FIRST_DAY_OF_WEEK = 1  # Monday, as the adherence weeks run
# Input formats are not set here: Django's en_GB ones (and ISO, always accepted) still apply.
