import type { GateFacts } from "./facts.js";

/** Logins and team slugs compare case-insensitively and without the leading @. */
export function normalizePrincipal(principal: string): string {
  return principal.replace(/^@/, "").toLowerCase();
}

/** True when a login is the bot `botLogin` (`slug` or `slug[bot]`, any case: GraphQL and REST spell bots differently). */
export function isBotLogin(login: string | undefined, botLogin: string): boolean {
  const strip = (s: string) => s.toLowerCase().replace(/\[bot\]$/, "");
  return login !== undefined && strip(login) === strip(botLogin);
}

/** True when `login` is one of `users` or a member of one of `teams` (membership from facts.teams). */
export function isAuthorized(login: string, who: { teams?: readonly string[]; users?: readonly string[] }, facts: Pick<GateFacts, "teams">): boolean {
  const me = normalizePrincipal(login);
  if ((who.users ?? []).some((u) => normalizePrincipal(u) === me)) return true;
  return (who.teams ?? []).some((team) => (facts.teams?.[normalizePrincipal(team)] ?? []).some((m) => normalizePrincipal(m) === me));
}
