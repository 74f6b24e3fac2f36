from django import forms

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
