// Placeholder: replaced by the PostgreSQL cluster bootstrap.
export default function setup(): void {}
