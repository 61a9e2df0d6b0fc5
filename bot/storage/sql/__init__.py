"""The store on SQL, one module per concern over what they share (`base`); `bot.storage.sqlstore`
puts them together."""
