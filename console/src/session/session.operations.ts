import { graphql } from '../graphql/graphql.ts';

export const LoginMutation = graphql(`
  mutation Login($username: String!, $password: String!) {
    login(username: $username, password: $password) {
      token
      expiresAt
      viewer { id username role crew { id name nameAr nameEn } }
    }
  }
`);

export const RenewTokenMutation = graphql(`
  mutation RenewToken {
    renewToken { token expiresAt viewer { id username role crew { id name nameAr nameEn } } }
  }
`);

export const LogoutMutation = graphql(`
  mutation Logout { logout }
`);
