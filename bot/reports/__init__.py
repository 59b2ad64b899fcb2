"""Reports rendered as files (XLSX, PNG, PDF) for people to open or receive in the chat."""
