"""Card images: upload (for a deck's editors) and serving (to whoever may see the deck). cards/images.py checks."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from cards import images
from cards.access import deck_for_user, visible_decks
from cards.decks import DeckError
from cards.models import CardImage
from pmle.nexturl import safe_next


class ImageForm(forms.Form):
    image = forms.FileField(help_text="PNG, JPEG or WebP, at most 2 MB and 4,096 pixels a side.")


@login_required
@require_POST
def image_upload(request: HttpRequest, slug: str) -> HttpResponse:
    deck = deck_for_user(request.user, slug, "edit")
    form = ImageForm(request.POST, request.FILES)
    back = safe_next(request) or f"/decks/{deck.slug}/"
    error, image = None, None
    if not form.is_valid():
        error = "Choose an image file to upload."
    else:
        try:
            image = images.upload(user=request.user, deck=deck, data=form.cleaned_data["image"].read())
        except (images.ImageRefused, DeckError) as refused:
            error = str(refused)
    if request.htmx:
        context = {"image": image, "error": error, "deck": deck}
        return render(request, "decks/card_form.html#image-result", context, status=400 if error else 200)
    if error:
        messages.error(request, error)
        return render(request, "decks/image_refused.html", {"error": error, "back": back}, status=400)
    messages.success(request, f"Image uploaded: put {image.markdown} in the card where it belongs.")
    return redirect(back)


@login_required
@require_GET
def image(request: HttpRequest, image_id: int) -> HttpResponse:
    """The image, to those who may see its deck (404 for anyone else), typed by its decoded format."""
    found = CardImage.objects.filter(id=image_id, deck__in=visible_decks(request.user)).first()
    if found is None:
        raise Http404("No such image.")
    response = FileResponse(found.file.open("rb"), content_type=found.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Disposition"] = "inline"
    response["Cache-Control"] = "private, max-age=86400"
    return response
