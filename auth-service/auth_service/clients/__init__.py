"""OAuth2 clients: game servers that send events (and debit wallets) with their own tokens."""
