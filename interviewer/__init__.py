"""interviewer: a local, voice-driven mock interviewer for STAR answers."""

__version__ = "0.1.0"
