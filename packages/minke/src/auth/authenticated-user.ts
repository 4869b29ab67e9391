/** Who a request comes from, as the session or token lookup found them (active accounts only). */
export interface AuthenticatedUser {
  id: number;
  username: string;
  isSuperuser: boolean;
}
