// Sizes the API enforces, importable without the tables (the web app checks them before sending).

/** Longest message a user may send, in characters (about 25k tokens of English). */
export const maxUserMessageChars = 100_000
/** Longest stored message of any role; matches the table's check constraint. */
export const maxStoredMessageChars = 1_000_000
/** Most reason tags on one vote. */
export const maxFeedbackReasons = 8
/** Longest comment on a vote, in characters. */
export const maxFeedbackCommentChars = 2000
/** Longest custom instruction (about the user, or how to answer), in characters. */
export const maxCustomInstructionChars = 1500

/** The shortest password the embedded auth accepts. */
export const minPasswordLength = 8
