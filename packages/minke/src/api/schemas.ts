/** Shapes shared by several route plugins: the contract's, in one import for the routes. */
export {
  errorReply,
  idParams,
  nameParams,
  nameSearch,
  noContent,
  paging,
  userSummary,
  wholeListPaging,
} from '@minke/contract';
