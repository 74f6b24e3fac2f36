"""``/media/<path>``: every stored object goes out through here, with its access rule.

Avatars are public. A file is served to whoever may see it (public, its owner, moderators), or to
anyone holding a valid signed URL (``?expires=&signature=``): an expired or altered signature is a 403.
A link issued for a public file (``scope=public``) stops playing when the file is made private.
A file that moderators hid (it or one of its tracks) is served to moderators only, never through a
signed URL, even one issued before the hiding: the check is made at request time (the lean path in
front of Django, ``media.fastpath``, reuses it for at most ``STREAM_ACCESS_SECONDS``).
"""

from django.core.files.storage import default_storage
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.views.decorators.http import require_safe

from core.api import error_body
from core.moderated import is_moderator
from media import selectors, streaming
from media.models import File


def serve_file(request: HttpRequest, file: File) -> HttpResponse:
    return streaming.serve(
        request,
        name=file.path,
        size=file.size,
        content_type=file.mime_type,
        seed=f"{file.filename}:{file.size}",
        modified_at=file.created_at,
    )


@require_safe
def media(request: HttpRequest, path: str) -> HttpResponse:
    if ".." in path.split("/"):
        raise Http404("No such file.")
    if path.startswith("avatars/"):
        try:
            size = streaming.stored_size(path)
        except streaming.StorageFault as fault:
            if fault.missing:
                raise Http404("No such file.") from None
            return streaming.fault_response(request, fault)
        content_type = "image/" + {"jpg": "jpeg"}.get(path.rsplit(".", 1)[-1], path.rsplit(".", 1)[-1])
        try:
            modified = default_storage.get_modified_time(path)
        except NotImplementedError:
            modified = timezone.now()
        return streaming.serve(
            request, name=path, size=size, content_type=content_type, seed=f"{path}:{size}", modified_at=modified
        )
    file = selectors.file_by_path(path)
    if "signature" in request.GET or "expires" in request.GET:
        scope = request.GET.get("scope")
        if not streaming.signature_valid(path, request.GET.get("expires"), request.GET.get("signature"), scope):
            return JsonResponse(error_body("invalid_signature", "This link has expired or is not valid."), status=403)
        # A link signed before moderators hid the file (or its track) no longer plays, whoever holds it;
        # nor one issued for a public file that is now private.
        if file is None or selectors.file_is_moderated(file) or (scope is not None and not file.is_public):
            raise Http404("No such file.")
        return serve_file(request, file)
    if file is None or not selectors.files_visible(request.user).filter(pk=file.pk).exists():
        raise Http404("No such file.")
    if not is_moderator(request.user) and selectors.file_is_moderated(file):
        raise Http404("No such file.")  # the owner too: hidden audio is heard by moderators only
    return serve_file(request, file)
