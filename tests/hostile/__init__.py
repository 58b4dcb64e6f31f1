"""The hostile test vault: generator, payloads and output inspection."""
