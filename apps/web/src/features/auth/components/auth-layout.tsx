import type { ReactNode } from 'react'
import { BrandMark } from '../../../components/ui/brand-mark.tsx'
import './auth.css'

/** The calm frame around the sign-in and sign-up forms. */
export function AuthLayout({ title, children }: { title: string; children: ReactNode }) {
  return (
    <main className="auth">
      <div className="auth__card">
        <p className="auth__brand">
          <BrandMark />
          Parley
        </p>
        <h1 className="auth__title">{title}</h1>
        {children}
      </div>
    </main>
  )
}
