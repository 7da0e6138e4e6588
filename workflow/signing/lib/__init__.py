"""The signing library: PDF signatures in the Decree 30 form, the local certificate authority, keys,
timestamps and validation. It imports neither Flask nor the database: bytes and keys in, signed bytes
and reports out (the app around it, one package up, decides who signs what and keeps the records)."""
