"""The unsubscribe page people reach from an e-mail's "Stop these e-mails" link (no login).

GET asks (mail scanners and link previews fetch links, so it changes nothing); the page's button
POSTs back here and turns that kind's e-mails off. A bad or expired token gets a 400 page.
"""

from django.shortcuts import render
from django.views import View

from designiaBackend.errors import ApplicationError
from notifications import kinds, selectors, services


class UnsubscribePageView(View):
    template_name = "notifications/unsubscribe.html"

    def get(self, request):
        return self._answer(request, turn_off=False)

    def post(self, request):
        return self._answer(request, turn_off=True)

    def _answer(self, request, *, turn_off):
        token = request.GET.get("token", "")
        try:
            if turn_off:
                kind = services.notification_unsubscribe(token=token)
                email = False
            else:
                user_id, kind = services.unsubscribe_token_check(token=token)
                email = selectors.email_enabled(user_id=user_id, kind=kind)
        except ApplicationError as error:
            return render(request, self.template_name, {"error": error.message}, status=error.status)
        context = {"kind": kind, "label": kinds.get(kind).label, "email": email}
        return render(request, self.template_name, context)
