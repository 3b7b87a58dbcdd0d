"""The domain core: bills, number plan, usage profile, Erlang B, tariffs, rating, finance.

Nothing here imports the web framework or the database, and nothing reads the clock:
every function takes plain data (pydantic models or dataclasses) and returns plain data.
"""
