from django import forms

from catalog import search
from catalog.models import Track


class TrackUploadForm(forms.Form):
    file = forms.FileField(label="Audio file", help_text="MP3, FLAC, OGG, WAV or M4A, 200 MB at most.")
    title = forms.CharField(max_length=255, required=False, help_text="Leave empty to use the file's tags.")
    artist = forms.CharField(max_length=255, required=False)
    album = forms.CharField(max_length=255, required=False)
    genre = forms.CharField(max_length=100, required=False)
    is_public = forms.BooleanField(label="Public (anyone can listen)", required=False, initial=True)


class TrackEditForm(forms.ModelForm):
    is_public = forms.BooleanField(label="Public (anyone can listen)", required=False)

    class Meta:
        model = Track
        fields = ("title", "artist", "album", "genre")


class SearchForm(forms.Form):
    """The /search page's query: the same rules as ``GET /api/v1/search``."""

    q = forms.CharField(label="Search", max_length=search.MAX_QUERY_LENGTH, required=False)
    type = forms.ChoiceField(choices=[(kind, kind) for kind in search.TYPES], required=False)
    page = forms.IntegerField(min_value=1, max_value=1000, required=False)

    def clean_q(self) -> str:
        try:
            return search.clean_query(self.cleaned_data["q"])
        except search.QueryError as error:
            raise forms.ValidationError(str(error)) from error
