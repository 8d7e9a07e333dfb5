import type { FeedbackByModel, RecentFeedbackItem } from '@parley/schema/contracts'
import { type ReactNode, useId, useState } from 'react'
import { QueriesState } from '../../../components/ui/queries-state.tsx'
import { feedbackReasonLabels } from '../../../lib/feedback-reasons.ts'
import { formatDate, formatPercent } from '../../../lib/format.ts'
import { useFeedbackByModel, useRecentFeedback, type VoteFilter } from './get-feedback.ts'
import '../admin.css'
import { PageHeader } from '../../../components/ui/page-header.tsx'
import { ShowMore } from '../../../components/ui/show-more.tsx'

/** Satisfaction per model: share of up votes among all votes, busiest model first. */
function SatisfactionTable({ items }: { items: FeedbackByModel['items'] }) {
  const rows = [...items].sort((a, b) => b.up + b.down - (a.up + a.down))
  return (
    <section className="usage-card" aria-labelledby="feedback-by-model">
      <h2 className="usage-card__title" id="feedback-by-model">
        Satisfaction by model
      </h2>
      {rows.length === 0 ? (
        <p className="usage-card__hint">No one has voted on a reply yet.</p>
      ) : (
        <table className="admin-table">
          <thead>
            <tr>
              <th scope="col">Model</th>
              <th scope="col" className="num">
                Good
              </th>
              <th scope="col" className="num">
                Bad
              </th>
              <th scope="col" className="num">
                Satisfaction
              </th>
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => (
              <tr key={row.model ?? ''}>
                <th scope="row">{row.model ?? 'No model (failed before one was chosen)'}</th>
                <td className="num">{row.up}</td>
                <td className="num">{row.down}</td>
                <td className="num">{formatPercent(row.up, row.up + row.down)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  )
}

function VoteRow({ item }: { item: RecentFeedbackItem }) {
  return (
    <tr>
      <td>{formatDate(item.updatedAt)}</td>
      <td>{item.vote === 'up' ? 'Good' : 'Bad'}</td>
      <td>{item.model ?? '–'}</td>
      <td>{item.reasons.map((reason) => feedbackReasonLabels[reason]).join(', ') || '–'}</td>
      <td className="admin-feedback__comment">{item.comment ?? ''}</td>
      <td>
        <code title={item.userId}>{item.userId.slice(0, 8)}</code>
      </td>
    </tr>
  )
}

/** The newest votes with their reasons and comments, filtered by kind, a page at a time. */
function RecentVotes() {
  const [vote, setVote] = useState<VoteFilter>('all')
  const filterId = useId()
  const recent = useRecentFeedback(vote)
  const items = recent.data?.pages.flatMap((page) => page.items) ?? []
  return (
    <section className="usage-card" aria-labelledby="feedback-recent">
      <div className="admin-card__head">
        <h2 className="usage-card__title" id="feedback-recent">
          Newest votes
        </h2>
        <label htmlFor={filterId} className="sr-only">
          Show
        </label>
        <select
          id={filterId}
          className="select"
          value={vote}
          onChange={(event) => setVote(event.target.value as VoteFilter)}
        >
          <option value="all">All votes</option>
          <option value="down">Bad only</option>
          <option value="up">Good only</option>
        </select>
      </div>
      <QueriesState queries={[recent]} label="Loading votes">
        {recent.data ? (
          items.length === 0 ? (
            <p className="usage-card__hint">No votes of this kind yet.</p>
          ) : (
            <>
              <div className="admin-table__scroll">
                <table className="admin-table">
                  <thead>
                    <tr>
                      <th scope="col">Date</th>
                      <th scope="col">Vote</th>
                      <th scope="col">Model</th>
                      <th scope="col">Reasons</th>
                      <th scope="col">Comment</th>
                      <th scope="col">User</th>
                    </tr>
                  </thead>
                  <tbody>
                    {items.map((item) => (
                      <VoteRow key={item.messageId} item={item} />
                    ))}
                  </tbody>
                </table>
              </div>
              <ShowMore query={recent} />
            </>
          )
        ) : null}
      </QueriesState>
    </section>
  )
}

/** What people think of the replies (admins): satisfaction per model and their comments. */
export function FeedbackPage({ menuButton }: { menuButton?: ReactNode }) {
  const byModel = useFeedbackByModel()
  return (
    <div className="usage">
      <PageHeader menuButton={menuButton} title="Feedback" />
      <div className="usage__body">
        <div className="usage__grid">
          <QueriesState queries={[byModel]} label="Loading feedback">
            {byModel.data ? <SatisfactionTable items={byModel.data.items} /> : null}
          </QueriesState>
          <RecentVotes />
        </div>
      </div>
    </div>
  )
}
