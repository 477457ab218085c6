"""Input and output serializers of the authentication app."""
